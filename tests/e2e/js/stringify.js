// For each JSON text in the array on stdin: what JSON.stringify(JSON.parse(text), null, 2) writes,
// or null when JSON.parse refuses the text. The answer is one JSON array on stdout.
'use strict';
const fs = require('fs');

const texts = JSON.parse(fs.readFileSync(0, 'utf8'));
const written = texts.map((text) => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch (error) {
    if (error instanceof SyntaxError) return null;
    throw error;
  }
});
process.stdout.write(JSON.stringify(written));
