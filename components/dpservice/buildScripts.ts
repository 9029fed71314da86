// The dev stage's local step: build the dpservice image from a checkout and save it to a tar
// (run_benchmarktest.py's prepare_local_docker_image: `docker build`, `docker save`), on the
// machine running Pulumi. Pure: builds text only; every value goes through `sh` quoting.
import { sh } from "../shell";

export interface ImageBuildSpec {
    /** The dpservice checkout (absolute path). */
    readonly context: string;
    /** Where the tar goes (a pairbench directory under the project). */
    readonly outputDir: string;
    /** The tag the image gets here and, through `docker load`, on the hypervisors. */
    readonly tag: string;
}

export const IMAGE_TAR = "dpservice-image.tar";

/** The local tag of a stack's dev image, e.g. `pairbench-dpservice:lab`. */
export function devImageTag(stack: string): string {
    const t = stack.replace(/[^A-Za-z0-9_.-]/g, "-").replace(/^[.-]+/, "");
    return `pairbench-dpservice:${t.slice(0, 128) || "dev"}`;
}

/**
 * Builds the Dockerfile's last stage (`production`, entrypoint dpservice-bin, as upstream), saves
 * it and prints `{"imageId", "sha256"}` (the tar's digest names the upload on the hypervisors).
 * docker's progress goes to stderr.
 */
export function imageBuild(s: ImageBuildSpec): string {
    return [
        sh`ctx=${s.context}; out=${s.outputDir}; tag=${s.tag}; tar=${`${s.outputDir}/${IMAGE_TAR}`}`,
        "command -v docker >/dev/null 2>&1 || pb_fail 'docker is not installed on the machine running Pulumi (the dev stage builds dpservice here)'",
        'mkdir -p "$out"',
        'docker build --iidfile "$out/image.id" -t "$tag" "$ctx" >&2',
        'id=$(cat "$out/image.id"); rm -f "$out/image.id"',
        'docker save -o "$tar.part" "$tag"',
        'mv -f "$tar.part" "$tar"',
        "sha=$(sha256sum \"$tar\" | cut -d ' ' -f 1)",
        `printf '{"imageId":"%s","sha256":"%s"}\\n' "$id" "$sha"`,
    ].join("\n");
}

/** Removes the tar and the local tag (docker's build cache stays, for the next build). */
export function imageBuildDelete(s: ImageBuildSpec): string {
    return [
        sh`out=${s.outputDir}; tag=${s.tag}; tar=${`${s.outputDir}/${IMAGE_TAR}`}`,
        'rm -f "$tar" "$tar.part" "$out/image.id"',
        'rmdir "$out" 2>/dev/null || true',
        'if command -v docker >/dev/null 2>&1; then docker image rm "$tag" >/dev/null 2>&1 || true; fi',
    ].join("\n");
}
