#!/usr/bin/env node
// Tokenizes .song text with the TextMate grammar beside this file, the way VS Code does
// (vscode-textmate on the Oniguruma regex engine), and prints each line's tokens as JSON:
// [[{"text": ..., "scopes": [...]}, ...], ...]. Input: the text on standard input.
// Used by tests/test_textmate_grammar.py; run `npm ci` in this folder first.
'use strict';
const fs = require('fs');
const path = require('path');

let vsctm, oniguruma;
try {
  vsctm = require('vscode-textmate');
  oniguruma = require('vscode-oniguruma');
} catch (err) {
  process.stderr.write(`the node packages are missing: run \`npm ci\` in ${__dirname}\n`);
  process.exit(3);
}

const grammarPath = process.argv[2] || path.join(__dirname, 'song.tmLanguage.json');
const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;

async function main() {
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.song') return null;
      return vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath);
    },
  });
  const grammar = await registry.loadGrammar('source.song');
  const text = fs.readFileSync(0, 'utf8');
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  let state = vsctm.INITIAL;
  const out = [];
  for (const line of lines) {
    const result = grammar.tokenizeLine(line, state);
    out.push(result.tokens.map((t) => ({
      text: line.substring(t.startIndex, t.endIndex),
      scopes: t.scopes,
    })));
    state = result.ruleStack;
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
