'use strict';
// Sends test traffic through an environment's test listener to the tasks a blue/green
// deployment is about to shift production traffic to, and fails the deployment unless every
// request answers the expected status within the latency bound. Runs inside the environment's
// VPC (the test listener admits only the VPC) as a lifecycle hook: CodeDeploy's
// AfterAllowTestTraffic, reported with PutLifecycleEventHookExecutionStatus, or an ECS
// blue/green lifecycle hook, answered with hookStatus. check() knows nothing of either engine.
// Node.js, AWS SDK v3 from the runtime; handle() takes its AWS calls as arguments.

const http = require('http');
const https = require('https');

// Requests in flight at once: enough to finish 1000 requests per path in minutes, few enough
// not to look like load on a service of one task.
const CONCURRENCY = 4;
// The time kept back from the function's own timeout to report the result: a hook that never
// reports holds a CodeDeploy deployment for an hour.
const REPORT_MARGIN_MS = 10000;
// A body is read (so the latency covers the whole answer) up to this size, then dropped.
const MAX_BODY = 1024 * 1024;
// Failures listed per path in the log and the message; the rest are counted.
const MAX_EXAMPLES = 3;

// settings reads the check's configuration from the function's variables. An error here is the
// deployment's failure, reported like any other.
function settings(env) {
  const problems = [];
  const int = (name, min, max) => {
    const v = Number(env[name]);
    if (!Number.isInteger(v) || v < min || v > max) problems.push(name + ' must be an integer from ' + min + ' to ' + max + ', got ' + JSON.stringify(env[name]));
    return v;
  };
  let url = null;
  try {
    url = new URL(env.TARGET_URL || '');
    if (!/^https?:$/.test(url.protocol) || (url.pathname !== '/' && url.pathname !== '') || url.search) throw new Error('not a base URL');
  } catch (e) {
    problems.push('TARGET_URL must be http(s)://HOST[:PORT], got ' + JSON.stringify(env.TARGET_URL));
  }
  let paths = [];
  try {
    paths = JSON.parse(env.PATHS || '');
    if (!Array.isArray(paths) || !paths.length || !paths.every((p) => typeof p === 'string' && p.startsWith('/'))) throw new Error();
  } catch (e) {
    problems.push('PATHS must be a JSON array of paths starting with /, got ' + JSON.stringify(env.PATHS));
  }
  const s = {
    url: url && url.origin, paths,
    expectStatus: int('EXPECT_STATUS', 100, 599),
    requests: int('REQUESTS', 1, 1000),
    maxLatencyMs: int('MAX_LATENCY_MS', 1, 60000),
    environment: env.ENVIRONMENT || 'this environment',
    topicArn: env.TOPIC_ARN || '',
  };
  if (problems.length) throw new SettingsError('the test-traffic check is misconfigured: ' + problems.join('; '));
  return s;
}

class SettingsError extends Error {}

// check sends s.requests GET requests to every path and says which failed how. It stops
// starting requests at deadline (a time in ms since the epoch); what did not run is a failure.
async function check(s, deadline) {
  const jobs = [];
  for (const path of s.paths) for (let i = 0; i < s.requests; i++) jobs.push(path);
  const results = new Map(s.paths.map((p) => [p, { sent: 0, failed: [] }]));
  let next = 0;
  let outOfTime = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const path = jobs[next++];
      const left = deadline - Date.now();
      if (left <= 0) {
        outOfTime++;
        continue;
      }
      const r = results.get(path);
      r.sent++;
      const answer = await get(s.url + path, Math.min(s.maxLatencyMs, left));
      const problem = judge(answer, s);
      if (problem) r.failed.push(problem);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, jobs.length) }, worker));
  const failures = [];
  for (const [path, r] of results) {
    if (r.failed.length) failures.push({ path, failed: r.failed.length, sent: r.sent, reasons: summarise(r.failed) });
  }
  return { ok: failures.length === 0 && outOfTime === 0, total: jobs.length, outOfTime, failures };
}

// judge returns what is wrong with one answer, or '' if it is right.
function judge(answer, s) {
  if (answer.error) return answer.error;
  // A slow answer never gets here: get() gives up at the latency bound ("no answer within").
  if (answer.status !== s.expectStatus) return 'answered ' + answer.status + ' (expected ' + s.expectStatus + ')';
  return '';
}

// summarise counts equal reasons, most frequent first.
function summarise(reasons) {
  const counts = new Map();
  for (const r of reasons) counts.set(r, (counts.get(r) || 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, MAX_EXAMPLES).map(([r, n]) => n + ' ' + r);
}

// get sends one GET and reads the answer, giving up after timeoutMs. It never rejects.
function get(url, timeoutMs) {
  return new Promise((resolve) => {
    const started = Date.now();
    let done = false;
    const finish = (answer) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        resolve(Object.assign({ ms: Date.now() - started }, answer));
      }
    };
    // A fresh connection per request, so the requests spread over the load balancer's nodes
    // and the new tasks instead of riding one kept-alive connection.
    // An HTTPS listener's certificate names the service's domain, not the load balancer's address
    // used here; the check is of the tasks behind it, sends no credentials and stays in the VPC.
    const options = { agent: false, rejectUnauthorized: false, headers: { 'user-agent': 'ecsdelivery-test-traffic' } };
    const req = (url.startsWith('https:') ? https : http).get(url, options, (res) => {
      let size = 0;
      res.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_BODY) {
          finish({ status: res.statusCode });
          res.destroy();
        }
      });
      res.on('end', () => finish({ status: res.statusCode }));
      res.on('error', (e) => finish({ error: 'failed while answering: ' + (e.code || e.message) }));
    });
    const timer = setTimeout(() => {
      finish({ error: 'no answer within ' + timeoutMs + ' ms' });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e) => finish({ error: 'could not connect: ' + (e.code || e.message) }));
  });
}

// report is the check's outcome as a person reads it, in the log and the notification.
function report(result, s, deployment) {
  const what = deployment ? 'deployment ' + deployment + ' of ' + s.environment : 'the deployment of ' + s.environment;
  if (result.ok) return 'Test traffic passed for ' + what + ': ' + result.total + ' requests to ' + s.paths.join(', ') + ' answered ' + s.expectStatus + ' within ' + s.maxLatencyMs + ' ms.';
  const lines = ['Test traffic failed for ' + what + ', before any production traffic reached the new tasks; the deployment rolls back.'];
  for (const f of result.failures) lines.push(f.path + ': ' + f.failed + ' of ' + f.sent + ' requests failed: ' + f.reasons.join(', '));
  if (result.outOfTime) lines.push(result.outOfTime + ' of ' + result.total + ' requests did not run before the check ran out of time.');
  if (result.error) lines.push(result.error);
  return lines.join('\n');
}

// hookOf tells the engine that called from the event: CodeDeploy names the deployment and the
// hook execution to report to; ECS names an execution and expects the status as the answer.
function hookOf(event) {
  const e = event || {};
  if (typeof e.DeploymentId === 'string' && typeof e.LifecycleEventHookExecutionId === 'string') {
    return { engine: 'codedeploy', deployment: e.DeploymentId, execution: e.LifecycleEventHookExecutionId };
  }
  if (typeof e.executionId === 'string' && typeof e.lifecycleStage === 'string') {
    return { engine: 'ecs', deployment: e.executionId, stage: e.lifecycleStage };
  }
  return null;
}

async function handle(event, context, aws, env) {
  const hook = hookOf(event);
  if (!hook) throw new Error('test-traffic: the event is neither a CodeDeploy nor an ECS lifecycle hook');
  const deadline = Date.now() + context.getRemainingTimeInMillis() - REPORT_MARGIN_MS;
  let s;
  let result;
  try {
    s = settings(env);
    result = await check(s, deadline);
  } catch (e) {
    s = s || { environment: env.ENVIRONMENT || 'this environment', topicArn: env.TOPIC_ARN || '', paths: [] };
    result = { ok: false, total: 0, outOfTime: 0, failures: [], error: e instanceof SettingsError ? e.message : 'the check failed: ' + e.message };
  }
  const message = report(result, s, hook.deployment);
  (result.ok ? console.log : console.error)('test-traffic: ' + message);
  if (!result.ok && s.topicArn) {
    try {
      await aws.notify(s.topicArn, ('Test traffic failed: ' + s.environment).slice(0, 100), message);
    } catch (e) {
      // The deployment's result matters more than the message about it.
      console.error('test-traffic: could not notify ' + s.topicArn + ': ' + (e.name || '') + ' ' + e.message);
    }
  }
  if (hook.engine === 'ecs') return { hookStatus: result.ok ? 'SUCCEEDED' : 'FAILED' };
  // A failure to report throws: Lambda runs the function again, and sending test traffic again
  // is harmless (GET requests).
  await aws.putHookStatus(hook.deployment, hook.execution, result.ok ? 'Succeeded' : 'Failed');
  return { status: result.ok ? 'Succeeded' : 'Failed', message };
}

function awsCalls() {
  const cd = require('@aws-sdk/client-codedeploy');
  const sns = require('@aws-sdk/client-sns');
  // Adaptive retries ride out throttling of the one call that decides the deployment.
  const options = { maxAttempts: 8, retryMode: 'adaptive' };
  const codedeploy = new cd.CodeDeployClient(options);
  const topic = new sns.SNSClient(options);
  return {
    putHookStatus: (deploymentId, lifecycleEventHookExecutionId, status) =>
      codedeploy.send(new cd.PutLifecycleEventHookExecutionStatusCommand({ deploymentId, lifecycleEventHookExecutionId, status })),
    notify: (TopicArn, Subject, Message) => topic.send(new sns.PublishCommand({ TopicArn, Subject, Message })),
  };
}

exports.check = check;
exports.settings = settings;
exports.handle = handle;
exports.handler = (event, context) => handle(event, context, awsCalls(), process.env);
