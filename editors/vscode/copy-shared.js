// Copies the editor-neutral grammar and language configuration from editors/ into the
// extension before it is packaged (`vscode:prepublish`), so that they are written once.
'use strict';
const fs = require('fs');
const path = require('path');

const shared = path.join(__dirname, '..');
fs.mkdirSync(path.join(__dirname, 'syntaxes'), { recursive: true });
fs.copyFileSync(path.join(shared, 'song.tmLanguage.json'), path.join(__dirname, 'syntaxes', 'song.tmLanguage.json'));
fs.copyFileSync(path.join(shared, 'language-configuration.json'), path.join(__dirname, 'language-configuration.json'));
