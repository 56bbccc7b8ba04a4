'use strict';
// Turns one pipeline's state changes into CloudWatch metrics and into messages a person reads.
// Runs as an AWS Lambda function (Node.js, AWS SDK v3 from the runtime); handle() takes its
// AWS calls as arguments so it can be tested without AWS.

const NAMESPACE = 'ecsdelivery';
const PIPELINE = 'CodePipeline Pipeline Execution State Change';
const STAGE = 'CodePipeline Stage Execution State Change';
const ACTION = 'CodePipeline Action Execution State Change';

// settings reads the function's configuration. A missing setting throws: without PIPELINE every
// event would look like another pipeline's and be ignored without a trace, so the invocation
// fails instead and the event goes to the function's dead-letter queue.
function settings(env) {
  const missing = ['APP', 'PIPELINE', 'TOPIC_ARN', 'AWS_REGION', 'RELEASE_ENVIRONMENT'].filter((k) => !env[k]);
  if (missing.length) throw new Error('notifier: missing settings ' + missing.join(', '));
  const deployStages = JSON.parse(env.DEPLOY_STAGES || '{}');
  const deployActions = deployActionsOf(env);
  return {
    app: env.APP, pipeline: env.PIPELINE, topicArn: env.TOPIC_ARN, region: env.AWS_REGION,
    release: env.RELEASE_ENVIRONMENT, deployStages, deployActions, dora: doraSettings(env, deployStages, deployActions),
  };
}

// doraSettings reads the settings of the DORA measures, or null when they are off (no
// DORA_STATE_PREFIX). A bad value throws, as a missing setting does: measures computed with a
// wrong window, or without knowing a stage's deploy action, would be wrong without a trace.
function doraSettings(env, deployStages, deployActions) {
  const hours = env.CHANGE_FAILURE_WINDOW_HOURS ? Number(env.CHANGE_FAILURE_WINDOW_HOURS) : 24;
  if (!(Number.isFinite(hours) && hours > 0)) {
    throw new Error('notifier: CHANGE_FAILURE_WINDOW_HOURS ' + JSON.stringify(env.CHANGE_FAILURE_WINDOW_HOURS) + ' is no number of hours above 0');
  }
  if (!env.DORA_STATE_PREFIX) return null;
  // Without its deploy action, a failed stage could not tell a failed deploy from one that
  // never started.
  const unnamed = Object.keys(deployStages).filter((stage) => typeof deployActions[stage] !== 'string' || !deployActions[stage]);
  if (unnamed.length) throw new Error('notifier: DEPLOY_ACTIONS names no deploy action of ' + unnamed.join(', '));
  return {
    statePrefix: env.DORA_STATE_PREFIX, deployActions, windowMs: hours * 3600 * 1000,
    buildStage: env.BUILD_STAGE || 'Build', buildAction: env.BUILD_ACTION || 'Image',
  };
}

// deployActionsOf reads DEPLOY_ACTIONS, each deploy stage's deploying action ({} when unset:
// every action of a deploy stage then counts as a deployment, as before the setting existed).
function deployActionsOf(env) {
  let deployActions;
  try {
    deployActions = JSON.parse(env.DEPLOY_ACTIONS || '{}');
  } catch (e) { /* said below */ }
  if (!deployActions || typeof deployActions !== 'object' || Array.isArray(deployActions)) {
    throw new Error('notifier: DEPLOY_ACTIONS is no JSON object of stage names and action names');
  }
  return deployActions;
}

// consoleHost is the AWS console of a region's partition: China and GovCloud have their own, and
// a link to the commercial console would not open there (deploystages.go's consoleURL agrees).
function consoleHost(region) {
  if (region.startsWith('cn-')) return 'https://console.amazonaws.cn';
  if (region.startsWith('us-gov-')) return 'https://console.amazonaws-us-gov.com';
  return 'https://' + region + '.console.aws.amazon.com';
}

// execution reads an execution (its source revision and type), or says why it could not.
async function execution(aws, s, id) {
  try {
    return { exec: (await aws.getExecution(s.pipeline, id)) || {} };
  } catch (e) {
    return { error: e.name + ': ' + e.message };
  }
}

// commitOf names the commit of an execution: its id, its message's first line and its link.
function commitOf(x) {
  if (x.error) return 'unknown (' + x.error + ')';
  const revs = x.exec.artifactRevisions || [];
  if (!revs.length) return 'unknown';
  const r = revs[0];
  let summary = r.revisionSummary || '';
  try { summary = JSON.parse(summary).CommitMessage || summary; } catch (e) { /* plain text */ }
  summary = summary.split('\n')[0].slice(0, 120);
  return [String(r.revisionId || '').slice(0, 12), summary, r.revisionUrl ? '(' + r.revisionUrl + ')' : '']
    .filter(Boolean).join(' ');
}

async function handle(event, aws, s) {
  const d = event.detail || {};
  const type = event['detail-type'];
  if (d.pipeline !== s.pipeline) return { ignored: true };
  const dims = [{ Name: 'Pipeline', Value: s.pipeline }];
  const metrics = [];
  const problems = []; // AWS calls that failed; the invocation fails after trying the others
  const id = d['execution-id'];
  // Every state change of a pipeline names its execution; one that does not is no event this
  // function understands, and failing keeps it in the dead-letter queue for a person to read.
  if (!id) throw new Error('notifier: a ' + type + ' event without an execution id');
  const at = Date.parse(event.time); // NaN when the event has no readable time
  let headline = null;
  let stage = d.stage || '';
  let info = null; // the execution, read once when needed
  if (type === PIPELINE && (d.state === 'SUCCEEDED' || d.state === 'FAILED')) {
    info = await execution(aws, s, id);
    // A stage's automatic rollback runs as an execution of its own: its end is no release.
    if (isRollback(info)) {
      if (d.state === 'SUCCEEDED') {
        headline = 'rolled back: the release before runs again';
        stage = 'the stage that failed, with the last release that succeeded there';
      }
    } else {
      metrics.push({ MetricName: d.state === 'SUCCEEDED' ? 'ExecutionsSucceeded' : 'ExecutionsFailed', Dimensions: dims, Value: 1, Unit: 'Count' });
      const started = await executionStart(aws, s, id);
      if (started !== null) {
        // Left as it is, even when negative or not a number: finite() below drops such a value.
        metrics.push({ MetricName: 'ExecutionDuration', Dimensions: dims, Value: (at - started) / 1000, Unit: 'Seconds' });
      }
      if (d.state === 'SUCCEEDED') {
        headline = info.error ? 'finished (release or rollback: the execution could not be read)' : 'released to ' + s.release;
        stage = 'all stages, through ' + s.release;
      }
    }
  } else if (type === STAGE && d.state === 'FAILED') {
    headline = d.stage + ' failed';
  } else if (type === ACTION && (d.state === 'SUCCEEDED' || d.state === 'FAILED') && s.deployStages[d.stage] &&
      (!s.deployActions[d.stage] || d.action === s.deployActions[d.stage]) &&
      !isRollback(info = await execution(aws, s, id))) {
    // Only the stage's deploy action deploys: the signature check and the marking before it
    // are no deployments, and a refused signature is no rollback.
    // A failed blue/green action is a rolled-back one: CodeDeploy rolls back on every failure.
    // The stage's own rollback re-runs the action in a rollback execution, which is no new
    // deployment and is not counted.
    metrics.push({
      MetricName: d.state === 'SUCCEEDED' ? 'DeploymentsSucceeded' : 'DeploymentsRolledBack',
      Dimensions: dims.concat([{ Name: 'Environment', Value: s.deployStages[d.stage] }]), Value: 1, Unit: 'Count',
    });
  }
  // DORA measures come from the deploy stages' outcomes, not from their deploy actions': a
  // stage succeeds only after its bake, and its rollback runs the whole stage again.
  if (s.dora && type === STAGE && s.deployStages[d.stage] && (d.state === 'SUCCEEDED' || d.state === 'FAILED')) {
    info = info || await execution(aws, s, id);
    metrics.push(...await dora(aws, s, { stage: d.stage, state: d.state, id, at, info }, problems));
  }
  const done = {};
  const data = metrics.filter(finite);
  if (data.length) {
    // Without a readable event time CloudWatch stamps the data when it receives them; an
    // invalid Date would fail the whole call.
    const stamp = Number.isFinite(at) ? { Timestamp: new Date(at) } : {};
    await attempt(problems, 'PutMetricData', () => aws.putMetrics({
      Namespace: NAMESPACE, MetricData: data.map((m) => Object.assign({}, stamp, m)),
    }));
    done.metrics = data.map((m) => m.MetricName);
  }
  if (headline) {
    info = info || await execution(aws, s, id);
    const link = consoleHost(s.region) + '/codesuite/codepipeline/pipelines/' +
      encodeURIComponent(s.pipeline) + '/executions/' + id + '/timeline?region=' + s.region;
    const message = [
      s.app + ': ' + headline, '',
      'App:       ' + s.app,
      'Pipeline:  ' + s.pipeline,
      'Stage:     ' + stage,
      'Commit:    ' + commitOf(info),
      'Execution: ' + link,
      'Time:      ' + (event.time || 'unknown'),
    ].join('\n');
    // SNS subjects are ASCII, one line, at most 100 characters.
    const subject = ('[' + s.app + '] ' + headline).replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
    await attempt(problems, 'Publish', () => aws.publish({ TopicArn: s.topicArn, Subject: subject, Message: message }));
    done.published = subject;
  }
  if (problems.length) {
    // The invocation fails, so the function's error alarm tells someone; it is not retried,
    // which would repeat what did go out.
    throw new Error('notifier: ' + problems.join('; '));
  }
  return done;
}

// finite says whether a datum may go out. A NaN, an infinity or a negative count or duration
// (an unreadable or missing time, a start after the end) is no measurement: published, it
// would skew the dashboard's averages and maxima, or fail the whole PutMetricData call with
// the good data in it. Such a datum is left out and logged.
function finite(m) {
  if (Number.isFinite(m.Value) && m.Value >= 0) return true;
  console.warn('notifier: ' + m.MetricName + ' left out: ' + m.Value + ' is no measurement');
  return false;
}

function isRollback(info) {
  return Boolean(info.exec && info.exec.executionType === 'ROLLBACK');
}

async function attempt(problems, what, call) {
  try {
    return await call();
  } catch (e) {
    problems.push(what + ' failed: ' + e.name + ': ' + e.message);
    return null;
  }
}

// executionStart is when an execution started (milliseconds), or null: the duration is then
// left out, and the rest still goes out. A failed lookup is logged, not a failure of the
// invocation: the counts and the message matter more than the duration.
async function executionStart(aws, s, id) {
  const failed = [];
  const started = await attempt(failed, 'ListPipelineExecutions', () => aws.executionStart(s.pipeline, id));
  if (failed.length) {
    console.warn('notifier: ExecutionDuration left out: ' + failed[0]);
  } else if (started === null || started === undefined) {
    console.warn('notifier: ExecutionDuration left out: the start of execution ' + id + ' was not found');
  }
  return failed.length || started === undefined ? null : started;
}

// findStart finds when an execution started; recent executions are listed newest first.
async function findStart(cp, pipeline, id, List) {
  let token;
  for (let page = 0; page < 5; page++) {
    const out = await cp.send(new List({ pipelineName: pipeline, maxResults: 100, nextToken: token }));
    const found = (out.pipelineExecutionSummaries || []).find((e) => e.pipelineExecutionId === id);
    if (found) return new Date(found.startTime).getTime();
    if (!(token = out.nextToken)) return null;
  }
  return null;
}

// DORA measures, per environment (deploy stage). Each deploy stage's outcome is one of:
// deployed (the stage succeeded), failed (the deploy reached the environment and failed:
// CodeDeploy or ECS rolled it back, or its bake failed after it), rolledBack (the stage's
// rollback, automatic or by a person, put the previous release back). doraStep turns an
// outcome and the environment's state into metric data; the state lives in an SSM parameter,
// because the measures span executions (a failure and its restore, a deploy and the failure
// that follows it) and one invocation sees one event.

// CloudWatch takes data up to two weeks old; an hour less leaves room for the call itself.
const OLDEST_DATUM_MS = (14 * 24 - 1) * 3600 * 1000;
const MAX_SEEN = 50; // outcomes remembered for dedupe: a few weeks of deploys, within 4 KB

// dora computes the DORA data of one deploy stage's outcome, with the Pipeline and Environment
// dimensions. The state is read, stepped and written before the data are returned: when the
// read or the write fails, the data are left out and the invocation fails (a problem), so the
// event goes to the dead-letter queue with the state as it was, and a redrive computes it
// again instead of counting it twice or against a stale state.
async function dora(aws, s, ev, problems) {
  const outcome = await doraOutcome(aws, s, ev, problems);
  if (!outcome) return [];
  const environment = s.deployStages[ev.stage];
  const name = s.dora.statePrefix + environment;
  const failed = [];
  const text = await attempt(failed, 'GetParameter ' + name, () => aws.readState(name));
  if (failed.length) return leftOut(problems, failed);
  const read = parseDoraState(text);
  if (read.unreadable) console.warn('notifier: DORA state ' + name + ' unreadable (' + read.unreadable + '), starting afresh');
  const step = doraStep(read.state, outcome, s.dora.windowMs);
  step.notes.forEach((note) => console.warn('notifier: ' + environment + ': ' + note));
  const next = JSON.stringify(step.state);
  if (next !== text) {
    await attempt(failed, 'PutParameter ' + name, () => aws.writeState(name, next));
    if (failed.length) return leftOut(problems, failed);
  }
  const dims = [{ Name: 'Pipeline', Value: s.pipeline }, { Name: 'Environment', Value: environment }];
  // A datum of an earlier time (a charged deploy's failure, a late restore) goes out at that
  // time, but never older than CloudWatch takes relative to this event: then in this week.
  return step.metrics.map(({ at, ...m }) => Object.assign(m, { Dimensions: dims },
    at === undefined ? {} : { Timestamp: new Date(Math.max(at, ev.at - OLDEST_DATUM_MS)) }));
}

function leftOut(problems, failed) {
  problems.push(...failed.map((f) => f + ' (DORA data of this event left out)'));
  return [];
}

// doraOutcome says what a deploy stage's state change means for DORA, or null when nothing:
// a rollback that failed, or a stage that failed before its deploy action ran (the signature
// check, the deployment window or the marking stopped it), which reached no environment.
// When it cannot say (the execution, the event time or a failed stage's actions cannot be
// read), that is a problem: the event goes to the dead-letter queue for a redrive.
async function doraOutcome(aws, s, ev, problems) {
  if (ev.info.error) {
    problems.push('DORA: execution ' + ev.id + ' unreadable, so neither a release nor a rollback: ' + ev.info.error);
    return null;
  }
  if (!Number.isFinite(ev.at)) {
    problems.push('DORA: a ' + ev.stage + ' outcome without a readable event time');
    return null;
  }
  const outcome = { at: ev.at, execution: ev.id, commitTime: null };
  if (isRollback(ev.info)) {
    if (ev.state !== 'SUCCEEDED') return null;
    // An automatic rollback follows any failure of the stage, also one before the deploy
    // action; doraStep restores only what it saw fail (see there).
    const trigger = ev.info.exec.trigger || {};
    return Object.assign(outcome, { kind: 'rolledBack', automatic: trigger.triggerType === 'AutomatedRollback' });
  }
  const failed = [];
  const actions = await attempt(failed, 'ListActionExecutions', () => aws.listActionExecutions(s.pipeline, ev.id));
  if (ev.state === 'SUCCEEDED') {
    // A deploy counts without its lead time: a warning, not a problem, because a redrive would
    // find the deploy already counted and could not add the lead time either.
    if (failed.length) console.warn('notifier: LeadTimeForChanges left out: ' + failed[0]);
    else outcome.commitTime = commitTime(actions, s.dora);
    return Object.assign(outcome, { kind: 'deployed' });
  }
  if (failed.length) {
    problems.push('DORA: ' + failed[0] + ', so whether the failed ' + ev.stage + ' deployed is unknown');
    return null;
  }
  const deploy = newest(actions, ev.stage, s.dora.deployActions[ev.stage]);
  if (deploy && (deploy.status === 'Succeeded' || deploy.status === 'Failed')) return Object.assign(outcome, { kind: 'failed' });
  console.info('notifier: ' + ev.stage + ' failed before its deploy action ' + s.dora.deployActions[ev.stage] +
    ' finished (' + (deploy ? deploy.status : 'it did not run') + '): no DORA outcome');
  return null;
}

// newest is the latest run of one action in an execution's action executions (a retried stage
// runs it again), or null.
function newest(actions, stage, action) {
  const runs = (actions || []).filter((a) => a.stageName === stage && a.actionName === action);
  const time = (a) => new Date(a.startTime).getTime() || 0;
  return runs.sort((a, b) => time(b) - time(a))[0] || null;
}

// ISO 8601 date and time with seconds and a zone: what the build exports. Date.parse alone
// would also take "Friday" or "11/27/2026", in the function's local zone.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

// commitTime is when the deployed commit was authored (milliseconds), from the build action's
// output variable COMMIT_TIME, or null (logged): the lead time is then left out.
function commitTime(actions, d) {
  const build = newest((actions || []).filter((a) => a.status === 'Succeeded'), d.buildStage, d.buildAction);
  const value = build && build.output && build.output.outputVariables && build.output.outputVariables.COMMIT_TIME;
  const ms = ISO_TIME.test(value || '') ? Date.parse(value) : NaN;
  if (Number.isFinite(ms)) return ms;
  console.warn('notifier: LeadTimeForChanges left out: ' + (build ? 'COMMIT_TIME of ' + d.buildStage + '/' + d.buildAction +
    (value ? ' unreadable: ' + JSON.stringify(value) : ' missing') : 'no succeeded ' + d.buildStage + '/' + d.buildAction + ' in the execution'));
  return null;
}

// parseDoraState reads a state parameter's value. A missing parameter (null) or {} is a fresh
// state; an unreadable one is too, and says why, so the measures restart rather than stop.
function parseDoraState(text) {
  if (text === null || text === undefined) return { state: freshState(), unreadable: null };
  let raw;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { state: freshState(), unreadable: 'no JSON' };
  }
  return normalState(raw);
}

function freshState() {
  return { lastSuccess: null, failingSince: null, restoredAt: null, autoRollbackAt: null, seen: [] };
}

// normalState checks a parsed state field by field and fills in what {} leaves out; a field of
// the wrong shape makes the whole state unreadable: half a state would compute wrong answers.
function normalState(raw) {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { state: freshState(), unreadable: 'no JSON object' };
  const ls = raw.lastSuccess === undefined ? null : raw.lastSuccess;
  const time = (k) => (raw[k] === undefined ? null : raw[k]);
  const since = time('failingSince');
  const restored = time('restoredAt');
  const autoRollback = time('autoRollbackAt');
  const seen = raw.seen === undefined ? [] : raw.seen;
  const okSuccess = ls === null || (typeof ls === 'object' && Number.isFinite(ls.at) &&
    typeof ls.execution === 'string' && typeof ls.counted === 'boolean');
  const okTimes = [since, restored, autoRollback].every((t) => t === null || Number.isFinite(t));
  const okSeen = Array.isArray(seen) && seen.every((k) => typeof k === 'string');
  if (!(okSuccess && okTimes && okSeen)) return { state: freshState(), unreadable: 'a field of the wrong shape' };
  return {
    state: {
      lastSuccess: ls && { at: ls.at, execution: ls.execution, counted: ls.counted },
      failingSince: since, restoredAt: restored, autoRollbackAt: autoRollback, seen: seen.slice(),
    },
    unreadable: null,
  };
}

// doraStep is the arithmetic of the DORA measures: from an environment's state and one outcome
// ({kind, at, execution, commitTime, automatic}; times in milliseconds), the next state and
// the metric data (without dimensions; a datum with `at` belongs to that time, not the
// outcome's), and notes worth logging. It calls nothing.
//
// state: lastSuccess, the last successful deploy ({at, execution, counted}: counted once a
// failure was charged to it); failingSince, when the environment's first failure since its
// last restore happened; restoredAt, the latest time the environment was known restored (a
// deploy or a rollback that succeeded); autoRollbackAt, the latest automatic rollback that
// found no failure on record (its failure may still come: a redriven or late event); seen,
// the latest outcomes, as EventBridge may deliver an event twice.
//
// A failed change is counted at the time of its deploy: a deploy charged by a later failure or
// rollback gets its ChangeFailures datum at its own time, in the same week as its Deployments
// datum, so no week reads more failures than deploys.
function doraStep(state, outcome, windowMs) {
  const read = normalState(state === null || state === undefined ? {} : state);
  const prev = read.state;
  const notes = read.unreadable ? ['DORA state unreadable (' + read.unreadable + '), starting afresh'] : [];
  const key = outcome.kind + ':' + outcome.execution;
  if (prev.seen.includes(key)) return { state: prev, metrics: [], notes: notes.concat(key + ' seen before: not counted again') };
  const next = Object.assign({}, prev, {
    lastSuccess: prev.lastSuccess && Object.assign({}, prev.lastSuccess), seen: prev.seen.concat(key).slice(-MAX_SEEN),
  });
  const at = outcome.at;
  const metrics = [];
  const count = (name, value, when) => metrics.push(Object.assign({ MetricName: name, Value: value, Unit: 'Count' }, when === undefined ? {} : { at: when }));
  // A duration that would end before it began (a commit time ahead of the clock, events out
  // of order) is no measurement: left out and noted.
  const seconds = (name, from, to) => {
    const end = to === undefined ? at : to;
    if (end >= from) metrics.push(Object.assign({ MetricName: name, Value: (end - from) / 1000, Unit: 'Seconds' }, end === at ? {} : { at: end }));
    else notes.push(name + ' left out: it would end ' + (from - end) / 1000 + ' s before it began');
  };
  const restored = () => { next.restoredAt = Math.max(next.restoredAt === null ? at : next.restoredAt, at); };
  // chargeLastSuccess counts a change failure against the last successful deploy, once, at its
  // own time: when a failure or an automatic rollback follows it within the window, or when a
  // person rolls it back (whenever: rolling back says it failed). It says whether it did.
  const chargeLastSuccess = (anyTime) => {
    const ls = next.lastSuccess;
    if (!ls || ls.counted || at < ls.at || (!anyTime && at - ls.at > windowMs)) return false;
    ls.counted = true;
    count('ChangeFailures', 1, ls.at);
    return true;
  };
  switch (outcome.kind) {
    case 'deployed':
      count('DeploymentFrequency', 1);
      count('Deployments', 1);
      if (outcome.commitTime !== null && outcome.commitTime !== undefined) seconds('LeadTimeForChanges', outcome.commitTime);
      // A late event (redriven, or delivered after a newer one) counts, but neither ends a
      // newer failure nor replaces a newer deploy.
      if (next.failingSince !== null && at >= next.failingSince) {
        seconds('TimeToRestore', next.failingSince);
        next.failingSince = null;
      }
      if (next.failingSince === null) restored();
      if (!next.lastSuccess || at >= next.lastSuccess.at) next.lastSuccess = { at, execution: outcome.execution, counted: false };
      else notes.push('a deploy older than the last one on record: counted, the last one kept');
      break;
    case 'failed':
      count('Deployments', 1);
      count('ChangeFailures', 1);
      chargeLastSuccess(false);
      if (next.autoRollbackAt !== null && next.autoRollbackAt >= at) {
        // Its automatic rollback was handled first (this event was redriven or late): that
        // rollback restored the environment.
        seconds('TimeToRestore', at, next.autoRollbackAt);
        next.autoRollbackAt = null;
        if (next.lastSuccess && next.lastSuccess.at <= at) next.lastSuccess = null;
      } else if (next.restoredAt !== null && at < next.restoredAt) {
        notes.push('a failure older than the last restore: counted, the environment is not failing since');
      } else if (next.failingSince === null) {
        next.failingSince = at;
      }
      break;
    case 'rolledBack': {
      if (outcome.automatic && next.failingSince === null) {
        // CodePipeline rolls a stage back after any failure, also one before the deploy
        // action (the signature check): the release it puts back never left. Unless its
        // failure arrives late, nothing failed in the environment and nothing is restored.
        next.autoRollbackAt = Math.max(next.autoRollbackAt === null ? at : next.autoRollbackAt, at);
        notes.push('an automatic rollback with no failure on record: no change failure, no restore (unless the failure comes late)');
        break;
      }
      const rolledBack = next.lastSuccess;
      const charged = chargeLastSuccess(!outcome.automatic);
      if (next.failingSince !== null) seconds('TimeToRestore', next.failingSince);
      else if (charged) seconds('TimeToRestore', rolledBack.at);
      next.failingSince = null;
      restored();
      // An older release runs now: later failures are no longer the rolled-back deploy's.
      next.lastSuccess = null;
      break;
    }
    default:
      throw new Error('notifier: no DORA outcome ' + JSON.stringify(outcome.kind));
  }
  return { state: next, metrics, notes };
}

// actionExecutions lists an execution's action executions, all pages.
async function actionExecutions(cp, pipeline, id, List) {
  const all = [];
  let token;
  for (let page = 0; page < 20; page++) {
    const out = await cp.send(new List({ pipelineName: pipeline, filter: { pipelineExecutionId: id }, maxResults: 100, nextToken: token }));
    all.push(...(out.actionExecutionDetails || []));
    if (!(token = out.nextToken)) break;
  }
  return all;
}

// readParameter is a String parameter's value, or null when it does not exist.
async function readParameter(ssm, name, Get) {
  try {
    return (await ssm.send(new Get({ Name: name }))).Parameter.Value;
  } catch (e) {
    if (e.name === 'ParameterNotFound') return null;
    throw e;
  }
}

// awsCalls are the AWS calls handle() makes, through the SDK's clients: the runtime's own, or
// (in tests) fakes of the same shape.
function awsCalls(sdk = runtimeSDK()) {
  const { codepipeline: cpsdk, cloudwatch: cw, sns, ssm: ssmsdk } = sdk;
  const cp = new cpsdk.CodePipelineClient({});
  const metrics = new cw.CloudWatchClient({});
  const topics = new sns.SNSClient({});
  const ssm = new ssmsdk.SSMClient({});
  return {
    getExecution: async (pipeline, id) => (await cp.send(new cpsdk.GetPipelineExecutionCommand({ pipelineName: pipeline, pipelineExecutionId: id }))).pipelineExecution,
    executionStart: (pipeline, id) => findStart(cp, pipeline, id, cpsdk.ListPipelineExecutionsCommand),
    putMetrics: (input) => metrics.send(new cw.PutMetricDataCommand(input)),
    publish: (input) => topics.send(new sns.PublishCommand(input)),
    listActionExecutions: (pipeline, id) => actionExecutions(cp, pipeline, id, cpsdk.ListActionExecutionsCommand),
    readState: (name) => readParameter(ssm, name, ssmsdk.GetParameterCommand),
    writeState: (name, value) => ssm.send(new ssmsdk.PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true })),
  };
}

function runtimeSDK() {
  return {
    codepipeline: require('@aws-sdk/client-codepipeline'), cloudwatch: require('@aws-sdk/client-cloudwatch'),
    sns: require('@aws-sdk/client-sns'), ssm: require('@aws-sdk/client-ssm'),
  };
}

exports.handle = handle;
exports.settings = settings;
exports.doraStep = doraStep;
exports.awsCalls = awsCalls;
exports.handler = async (event) => handle(event, awsCalls(), settings(process.env));
