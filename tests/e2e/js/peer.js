// Runs the framework's own JavaScript modules (../shared/js-peer, given as argv[2]) over a batch of
// scenarios read as JSON from stdin, so that tests can compare the files they write with synapse's.
// Every scenario is a list of steps on one file; the clock is fixed per step when `now` is given.
//
// Session steps (session-manager.js, context-tracker.js): {create: cwd} | {prompt: true} (what the
// engine hook does: bracket from the count it loaded, then the update that adds 1) | {update: {...}}
// | {updateText: json} (parsed by JSON.parse itself) | {clean: hours}. State steps (context-loader.js): {activate: [agentId, agentName, lastCommand]}
// | {task: [name, result]}. The answer on stdout: one result per scenario (what each step returned).
'use strict';
const path = require('path');
const fs = require('fs');

const peer = process.argv[2];
const sm = require(path.join(peer, 'core/synapse/session/session-manager.js'));
const tracker = require(path.join(peer, 'core/synapse/context/context-tracker.js'));
const SessionContextLoader = require(path.join(peer, 'core/session/context-loader.js'));

const RealDate = Date;
function fixClock(ms) {
  if (ms === undefined || ms === null) {
    global.Date = RealDate;
    return;
  }
  global.Date = class FixedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(ms);
      else super(...args);
    }
    static now() {
      return ms;
    }
  };
}

function sessionStep(scenario, step) {
  const dir = scenario.dir;
  if ('create' in step) return sm.createSession(scenario.id, step.create, dir) !== null;
  if ('prompt' in step) {
    const loaded = sm.loadSession(scenario.id, dir);
    if (!loaded) return null; // the JS hook never creates a session
    const bracket = tracker.calculateBracket(tracker.estimateContextPercent(loaded.prompt_count));
    return sm.updateSession(scenario.id, dir, { context: { last_bracket: bracket } }) !== null;
  }
  if ('update' in step) return sm.updateSession(scenario.id, dir, step.update) !== null;
  if ('updateText' in step) return sm.updateSession(scenario.id, dir, JSON.parse(step.updateText)) !== null;
  if ('clean' in step) return sm.cleanStaleSessions(dir, step.clean);
  if ('load' in step) return sm.loadSession(scenario.id, dir);
  throw new Error(`unknown session step ${JSON.stringify(step)}`);
}

function stateStep(scenario, step) {
  const loader = new SessionContextLoader();
  loader.sessionStatePath = scenario.path;
  if ('activate' in step) return loader.updateSession(...step.activate) === undefined;
  if ('task' in step) return loader.onTaskComplete(...step.task).success;
  throw new Error(`unknown state step ${JSON.stringify(step)}`);
}

const scenarios = JSON.parse(fs.readFileSync(0, 'utf8'));
const results = scenarios.map((scenario) =>
  scenario.steps.map((step) => {
    fixClock(step.now);
    try {
      return scenario.path ? stateStep(scenario, step) : sessionStep(scenario, step);
    } finally {
      fixClock(null);
    }
  }),
);
process.stdout.write(JSON.stringify(results));
