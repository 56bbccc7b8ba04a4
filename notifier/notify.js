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
  return {
    app: env.APP, pipeline: env.PIPELINE, topicArn: env.TOPIC_ARN, region: env.AWS_REGION,
    release: env.RELEASE_ENVIRONMENT, deployStages: JSON.parse(env.DEPLOY_STAGES || '{}'),
  };
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
      !isRollback(info = await execution(aws, s, id))) {
    // A failed blue/green action is a rolled-back one: CodeDeploy rolls back on every failure.
    // The stage's own rollback re-runs the action in a rollback execution, which is no new
    // deployment and is not counted.
    metrics.push({
      MetricName: d.state === 'SUCCEEDED' ? 'DeploymentsSucceeded' : 'DeploymentsRolledBack',
      Dimensions: dims.concat([{ Name: 'Environment', Value: s.deployStages[d.stage] }]), Value: 1, Unit: 'Count',
    });
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

function awsCalls() {
  const cpsdk = require('@aws-sdk/client-codepipeline');
  const cw = require('@aws-sdk/client-cloudwatch');
  const sns = require('@aws-sdk/client-sns');
  const cp = new cpsdk.CodePipelineClient({});
  const metrics = new cw.CloudWatchClient({});
  const topics = new sns.SNSClient({});
  return {
    getExecution: async (pipeline, id) => (await cp.send(new cpsdk.GetPipelineExecutionCommand({ pipelineName: pipeline, pipelineExecutionId: id }))).pipelineExecution,
    executionStart: (pipeline, id) => findStart(cp, pipeline, id, cpsdk.ListPipelineExecutionsCommand),
    putMetrics: (input) => metrics.send(new cw.PutMetricDataCommand(input)),
    publish: (input) => topics.send(new sns.PublishCommand(input)),
  };
}

exports.handle = handle;
exports.settings = settings;
exports.handler = async (event) => handle(event, awsCalls(), settings(process.env));
