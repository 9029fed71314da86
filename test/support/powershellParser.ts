// A real PowerShell grammar (tree-sitter-powershell, run by web-tree-sitter's WebAssembly build)
// for tests: no PowerShell runs on this machine, so generated scripts are checked by parsing
// them. Literals are decoded with PowerShell's own rule for single-quoted strings, which the
// grammar does not implement for the typographic quotes.
import { Language, Node, Parser } from "web-tree-sitter";

let parser: Parser | undefined;

/** Loads the grammar once; call in `before`. */
export async function loadPowerShell(): Promise<void> {
    if (parser) return;
    await Parser.init();
    const language = await Language.load(require.resolve("tree-sitter-powershell/tree-sitter-powershell.wasm"));
    parser = new Parser();
    parser.setLanguage(language);
}

/** The syntax tree's root; throws when the grammar is not loaded. */
export function parsePowerShell(text: string): Node {
    if (!parser) throw new Error("call loadPowerShell() first");
    const tree = parser.parse(text);
    if (!tree) throw new Error("tree-sitter returned no tree");
    return tree.rootNode;
}

/** Every node of a tree, depth first. */
export function allNodes(node: Node): Node[] {
    return [node, ...node.children.filter((c): c is Node => c !== null).flatMap(allNodes)];
}

/** Syntax errors of a script, as "line:column text" (empty when it parses). */
export function syntaxErrors(text: string): string[] {
    return allNodes(parsePowerShell(text))
        .filter((n) => n.type === "ERROR" || n.isMissing)
        .map((n) => `${n.startPosition.row + 1}:${n.startPosition.column + 1} ${n.isMissing ? `missing ${n.type}` : n.text.slice(0, 60)}`);
}

const QUOTE = /['\u2018\u2019\u201a\u201b]/;

/**
 * The value of a single-quoted literal as PowerShell reads it: inside the quotes, a quote
 * character followed by another stands for the second one; a lone one ends the string.
 */
export function decodeSingleQuoted(literal: string): string {
    const chars = [...literal];
    if (chars.length < 2 || !QUOTE.test(chars[0]!)) throw new Error(`not a single-quoted literal: ${literal}`);
    let out = "";
    for (let i = 1; i < chars.length; i++) {
        const c = chars[i]!;
        if (QUOTE.test(c)) {
            if (i + 1 < chars.length && QUOTE.test(chars[i + 1]!)) {
                out += chars[i + 1];
                i += 1;
                continue;
            }
            if (i !== chars.length - 1) throw new Error(`literal ends early at character ${i}: ${literal}`);
            return out;
        }
        out += c;
    }
    throw new Error(`unterminated literal: ${literal}`);
}
