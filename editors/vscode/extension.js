// The VS Code side of musicplan: starts `musicplan lsp` over stdio for .song files and
// hands everything else (diagnostics, formatting, outline, hovers, fixes) to it.
'use strict';
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function serverOptions() {
  const command = vscode.workspace.getConfiguration('musicplan').get('path') || 'musicplan';
  const run = { command, args: ['lsp'], transport: TransportKind.stdio };
  return { run, debug: run };
}

async function start(context) {
  client = new LanguageClient('musicplan', 'musicplan', serverOptions(), {
    documentSelector: [{ language: 'song' }],
    synchronize: { configurationSection: 'musicplan' },
  });
  try {
    await client.start();
  } catch (err) {
    const command = vscode.workspace.getConfiguration('musicplan').get('path') || 'musicplan';
    vscode.window.showErrorMessage(
      `musicplan: could not start \`${command} lsp\` (${err.message}). ` +
        "Install it with `pip install 'musicplan[lsp]'` or set `musicplan.path`.",
    );
  }
}

async function stop() {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop().catch(() => undefined);
  }
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('musicplan.restartServer', async () => {
      await stop();
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration('musicplan.path')) {
        await stop();
        await start(context);
      }
    }),
  );
  return start(context);
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
