// The HTML report in a real browser: Debian's headless Chromium (package `chromium`, installed
// by `make test-packages`), driven by puppeteer-core, which never downloads a browser. The page
// must load from a file with no network request and no console error, every chart must be drawn
// as SVG, and the screenshot must show the charts' colours (a blank or broken page does not).
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pathToFileURL } from "url";
import { PNG } from "pngjs";
import puppeteer, { Browser } from "puppeteer-core";
import { loadHtmlAssets } from "../../automation/reports/files";
import { renderHtml } from "../../automation/reports/html";
import { chartSpecs } from "../../automation/reports/htmlCharts";
import { buildRunReport, RunReport } from "../../automation/reports/runReport";
import { syntheticResults } from "../support/resultsFixture";

// The functions passed to page.evaluate run in the page; the project compiles without the DOM lib.
interface PageElement {
    readonly id: string;
    readonly textContent: string | null;
    querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
    getBoundingClientRect(): { readonly height: number };
    getAttribute(name: string): string | null;
}
declare const document: { querySelectorAll(selector: string): Iterable<PageElement>; readonly body: PageElement };

const CHROMIUM = process.env["PAIRBENCH_CHROMIUM"] ?? "/usr/bin/chromium";

const results = (mode: string) =>
    syntheticResults({
        runId: `r-${mode}`,
        context: { stack: "lab", environment: "libvirt", dataplane: `dpservice ${mode}` },
        throughput: [
            { name: "same-host-ipv4", gbps: [12.1, 12.4, 12.2], expected: 10, placement: "same-host" },
            { name: "cross-host-ipv4", gbps: [6.1, 6.4, 6.0], expected: 8 },
            { name: "cross-host-ipv6", gbps: [8.4, 7.2, 9.9], expected: 8, policy: "ci" },
        ],
    });
const report: RunReport = buildRunReport({
    stack: "lab",
    environment: "libvirt",
    startedAt: new Date("2026-11-22T10:00:00.000Z"),
    finishedAt: new Date("2026-11-22T10:09:30.000Z"),
    modes: [
        { mode: "non-offload", runId: "r-non-offload", results: results("non-offload") },
        { mode: "offload", runId: "r-offload", results: results("offload") },
    ],
});

/** Distinct RGB colours of a PNG, and how many pixels have a given colour (±tolerance). */
function colours(png: Buffer): { distinct: number; count: (rgb: [number, number, number]) => number } {
    const img = PNG.sync.read(png);
    const seen = new Set<number>();
    for (let i = 0; i < img.data.length; i += 4) seen.add((img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!);
    return {
        distinct: seen.size,
        count: ([r, g, b]) => {
            let n = 0;
            for (let i = 0; i < img.data.length; i += 4) {
                if (Math.abs(img.data[i]! - r) <= 6 && Math.abs(img.data[i + 1]! - g) <= 6 && Math.abs(img.data[i + 2]! - b) <= 6) n += 1;
            }
            return n;
        },
    };
}

describe("contract: the HTML report in headless Chromium", function () {
    this.timeout(120_000);
    let browser: Browser | undefined;
    let dir: string;

    before(async function () {
        assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (make test-packages)`);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "pairbench-html-"));
        browser = await puppeteer.launch({
            executablePath: CHROMIUM,
            headless: true,
            // Root in CI: Chromium's sandbox needs user namespaces it cannot have there.
            args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
            userDataDir: path.join(dir, "profile"),
        });
    });

    after(async () => {
        await browser?.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("loads with no network request and no console error, draws every chart as SVG, and is not blank", async () => {
        const file = path.join(dir, "report.html");
        fs.writeFileSync(file, renderHtml(report, loadHtmlAssets()));
        const url = pathToFileURL(file).href;
        const page = await browser!.newPage();
        await page.setViewport({ width: 1200, height: 900 });
        const problems: string[] = [];
        const requests: string[] = [];
        page.on("console", (m) => {
            if (m.type() === "error" || m.type() === "warn") problems.push(`console ${m.type()}: ${m.text()}`);
        });
        page.on("pageerror", (e) => problems.push(`page error: ${(e as Error).message}`));
        await page.setRequestInterception(true);
        page.on("request", (r) => {
            if (r.url() === url) return void r.continue();
            requests.push(r.url());
            void r.abort();
        });
        await page.goto(url, { waitUntil: "load" });
        await page.waitForSelector("body[data-charts-drawn]", { timeout: 20_000 });

        const specs = chartSpecs(report);
        const drawn = await page.evaluate(() =>
            [...document.querySelectorAll(".chart")].map((el) => ({
                id: el.id,
                svgs: el.querySelectorAll("svg").length,
                paths: el.querySelectorAll("svg path").length,
                texts: [...el.querySelectorAll("svg text")].map((t) => t.textContent ?? ""),
                height: el.getBoundingClientRect().height,
            })),
        );
        assert.deepStrictEqual(problems, []);
        assert.deepStrictEqual(requests, []);
        assert.strictEqual(await page.evaluate(() => document.body.getAttribute("data-charts-drawn")), String(specs.length));
        assert.deepStrictEqual(drawn.map((d) => d.id), specs.map((s) => s.id));
        for (const d of drawn) {
            assert.strictEqual(d.svgs, 1, `${d.id}: no SVG`);
            assert.ok(d.height > 300, `${d.id}: height ${d.height}`);
            // Axes, grid lines and the data: far more than an empty chart's frame.
            assert.ok(d.paths >= 12, `${d.id}: only ${d.paths} SVG paths`);
        }
        const ci = drawn.find((d) => d.id.startsWith("chart-ci-non-offload"))!;
        for (const label of ["same-host-ipv4", "cross-host-ipv4", "cross-host-ipv6", "Gbit/s", "mean", "95% CI", "expected"]) {
            assert.ok(ci.texts.includes(label), `CI chart lacks '${label}': ${ci.texts.join(", ")}`);
        }

        // The CI chart as pixels: a green (pass), a red (fail) and an orange (inconclusive) bar.
        const element = await page.$(`#${ci.id}`);
        const chartPng = colours(Buffer.from(await element!.screenshot({ type: "png" })));
        assert.ok(chartPng.count([0x2e, 0x7d, 0x32]) > 500, "no green bar drawn");
        assert.ok(chartPng.count([0xc6, 0x28, 0x28]) > 500, "no red bar drawn");
        assert.ok(chartPng.count([0xef, 0x6c, 0x00]) > 500, "no orange bar drawn");
        const pagePng = colours(Buffer.from(await page.screenshot({ type: "png", fullPage: true })));
        assert.ok(pagePng.distinct > 100, `the page has only ${pagePng.distinct} colours: blank?`);
        await page.close();
    });
});
