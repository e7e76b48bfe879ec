#!/usr/bin/env node
// CommonJS (bin/package.json): the rep's commands start without the ES module loader (scripts/bundle.js).
require('../build/callq.cjs');
