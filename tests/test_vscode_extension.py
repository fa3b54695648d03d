"""The VS Code extension (editors/vscode/extension.js) starts `musicplan lsp` over
stdio for `.song` documents, with the command from the `musicplan.path` setting.

VS Code itself cannot run here, so node loads the extension against a stand-in
`vscode` module and a stand-in language client that record what they are given.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

EXTENSION = Path(__file__).resolve().parent.parent / "editors" / "vscode"

HARNESS = r"""
const Module = require('module');
const path = require('path');
const made = [];
const registered = [];
const config = JSON.parse(process.argv[1]);
const fakeVscode = {
  workspace: {
    getConfiguration: (section) => ({ get: (key) => config[`${section}.${key}`] }),
    onDidChangeConfiguration: () => ({ dispose() {} }),
  },
  commands: { registerCommand: (name) => { registered.push(name); return { dispose() {} }; } },
  window: { showErrorMessage: (text) => made.push({ error: text }) },
};
class FakeClient {
  constructor(id, name, serverOptions, clientOptions) {
    made.push({ id, serverOptions, documentSelector: clientOptions.documentSelector });
  }
  start() { return config.fail ? Promise.reject(new Error('spawn ENOENT')) : Promise.resolve(); }
  stop() { return Promise.resolve(); }
}
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'vscode') return fakeVscode;
  if (request === 'vscode-languageclient/node') return { LanguageClient: FakeClient, TransportKind: { stdio: 0 } };
  return load.apply(this, arguments);
};
const extension = require(path.join(process.env.EXTENSION, 'extension.js'));
Promise.resolve(extension.activate({ subscriptions: [] })).then(() => {
  process.stdout.write(JSON.stringify({ made, registered }));
});
"""


def activate(config: dict) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.fail("the extension test needs Node.js (20 or newer)")
    done = subprocess.run([node, "-e", HARNESS, json.dumps(config)], capture_output=True, text=True,
                          timeout=60, check=False, env={"EXTENSION": str(EXTENSION), "PATH": ""})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_extension_starts_musicplan_lsp_over_stdio_for_song_documents() -> None:
    found = activate({"musicplan.path": "/opt/venv/bin/musicplan"})
    (client,) = found["made"]
    assert client["serverOptions"]["run"] == {"command": "/opt/venv/bin/musicplan", "args": ["lsp"],
                                              "transport": 0}
    assert client["documentSelector"] == [{"language": "song"}]
    assert found["registered"] == ["musicplan.restartServer"]


def test_an_unset_path_means_musicplan_on_the_path_and_a_failed_start_says_how_to_install() -> None:
    found = activate({"fail": True})
    client, error = found["made"]
    assert client["serverOptions"]["run"]["command"] == "musicplan"
    assert "pip install 'musicplan[lsp]'" in error["error"] and "musicplan.path" in error["error"]
