'use strict';
// Marks the image a deploy stage is about to deploy, so that the repository's lifecycle policy
// never expires what an environment runs or may roll back to: deployed-<env> is the image being
// deployed, deployed-<env>-previous the one it replaces. Runs as the CodePipeline Lambda invoke
// action at the start of each Deploy-<env> stage (Node.js, AWS SDK v3 from the runtime);
// handle() takes its AWS calls as arguments so it can be tested without AWS.

const zlib = require('zlib');

// The lifecycle policy keeps every tag with this prefix, and the repository lets these tags
// move although release tags are immutable.
const PREFIX = 'deployed-';
// The artifact's imageDetail.json is one line; anything larger is not what the build wrote,
// and a limit keeps a hostile archive from filling the function's memory.
const MAX_ENTRY = 64 * 1024;
const DETAIL = 'imageDetail.json';
// Environment names as the configuration allows them (lowercase, digits, single '-'); the
// length keeps deployed-<env>-previous inside ECR's 128-character tags.
const ENVIRONMENT = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_ENVIRONMENT = 128 - PREFIX.length - '-previous'.length;

function settings(env) {
  return { repositoryName: env.REPOSITORY_NAME, repositoryUri: env.REPOSITORY_URI, region: env.AWS_REGION };
}

// JobError is a failure to report to CodePipeline as it is: its message is for a person.
class JobError extends Error {}

async function handle(event, aws, s) {
  const job = (event || {})['CodePipeline.job'];
  // Without a job id no result can be reported, so the stage would wait for its timeout; the
  // invocation fails instead, visibly in the function's errors.
  if (!job || typeof job.id !== 'string' || !job.id) throw new Error('tagger: no CodePipeline job in the event');
  let summary;
  try {
    summary = await tagImage(job, aws, s);
  } catch (e) {
    const message = readable(e);
    console.error('tagger: job ' + job.id + ' failed: ' + message);
    // The job's result is how CodePipeline learns of the failure: the stage stops before its
    // deployment. Throwing as well would only have Lambda run the job again.
    await aws.putJobFailure(job.id, { type: 'JobFailed', message });
    return { failed: message };
  }
  console.log('tagger: job ' + job.id + ': ' + summary);
  // A failure to report success throws: Lambda runs the function again, which is harmless
  // since tagging is idempotent.
  await aws.putJobSuccess(job.id, summary);
  return { succeeded: summary };
}

// tagImage moves deployed-<env> to the image the artifact names and deployed-<env>-previous to
// the one it pointed to, and says what it did. Running it again with the same artifact changes
// nothing; running it with an older artifact (a stage rollback) swaps the two back.
async function tagImage(job, aws, s) {
  if (!s.repositoryName || !s.repositoryUri || !s.region) {
    throw new JobError('the tagger is missing REPOSITORY_NAME, REPOSITORY_URI or AWS_REGION');
  }
  // A URI of another repository would have the digest check below compare against the wrong
  // name, while the ECR calls go to REPOSITORY_NAME.
  if (!s.repositoryUri.endsWith('/' + s.repositoryName)) {
    throw new JobError('REPOSITORY_URI ' + s.repositoryUri + ' is not the repository ' + s.repositoryName);
  }
  const data = job.data || {};
  const environment = environmentOf(data);
  const artifact = (data.inputArtifacts || [])[0];
  const location = artifact && artifact.location && artifact.location.s3Location;
  if (!location || !location.bucketName || !location.objectKey) throw new JobError('the action has no input artifact in S3');
  const zip = await aws.getArtifact({ bucketName: location.bucketName, objectKey: location.objectKey }, data.artifactCredentials);
  const digest = digestOf(readEntry(zip, DETAIL), s.repositoryUri);

  const current = PREFIX + environment;
  const previous = current + '-previous';
  const was = await aws.getImage({ tag: current });
  if (was && was.digest === digest) return current + ' is already ' + digest + '; nothing to move';
  const image = await aws.getImage({ digest });
  if (!image) throw new JobError('the image ' + digest + ' is not in the repository ' + s.repositoryName);
  // The old image gets its -previous tag before it loses the current one: failing in between
  // leaves it tagged twice, never untagged while the environment still runs it.
  if (was) await putTag(aws, previous, was);
  await putTag(aws, current, image);
  return current + ' is ' + digest + (was ? ', ' + previous + ' is ' + was.digest : ' (its first deployment)');
}

// environmentOf reads the environment from the action's user parameters.
function environmentOf(data) {
  const config = (data.actionConfiguration || {}).configuration || {};
  let params;
  try {
    params = JSON.parse(config.UserParameters);
  } catch (e) {
    throw new JobError('the user parameters are not JSON: ' + String(config.UserParameters).slice(0, 100));
  }
  const env = params && params.environment;
  if (typeof env !== 'string' || !ENVIRONMENT.test(env) || env.length > MAX_ENVIRONMENT) {
    throw new JobError('the user parameters name no valid environment: ' + String(JSON.stringify(env)).slice(0, 150));
  }
  return env;
}

// digestOf is the digest imageDetail.json names. The image must be this repository's and named
// by digest: a tag could point elsewhere by the time CodeDeploy reads it, and the build (which
// runs the application's own code) must not get another repository's image kept or deployed.
function digestOf(bytes, repositoryUri) {
  let detail;
  try {
    detail = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new JobError(DETAIL + ' is not JSON');
  }
  const uri = detail && detail.ImageURI;
  const prefix = repositoryUri + '@';
  if (typeof uri !== 'string' || !uri.startsWith(prefix) || !/^sha256:[0-9a-f]{64}$/.test(uri.slice(prefix.length))) {
    throw new JobError(DETAIL + ' names ' + JSON.stringify(uri).slice(0, 200) + ', not an image of ' + repositoryUri + ' by digest');
  }
  return uri.slice(prefix.length);
}

// putTag points a tag at an image's manifest. ECR answers ImageAlreadyExists when the tag
// already points there: a retry, which is success.
async function putTag(aws, tag, image) {
  try {
    await aws.putImage({ tag, digest: image.digest, manifest: image.manifest, mediaType: image.mediaType });
  } catch (e) {
    if (e.name !== 'ImageAlreadyExistsException') throw e;
  }
}

// readEntry extracts one file from a ZIP archive: End Of Central Directory, then the central
// directory (whose sizes are reliable even when the local header defers them to a data
// descriptor), then the entry's local header for where its data start. It takes only what a
// CodeBuild artifact holds: stored or deflated entries, no encryption, no ZIP64.
function readEntry(zip, name) {
  if (!Buffer.isBuffer(zip)) throw new JobError('the input artifact could not be read');
  const at = (offset, size) => {
    if (offset < 0 || offset + size > zip.length) throw new JobError('the input artifact is not a valid ZIP file (truncated)');
    return offset;
  };
  // The End Of Central Directory record is 22 bytes and may be followed by a comment of up to
  // 65535 bytes; it is searched for from the end.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new JobError('the input artifact is not a ZIP file');
  const entries = zip.readUInt16LE(eocd + 10);
  const dirSize = zip.readUInt32LE(eocd + 12);
  const dirOffset = zip.readUInt32LE(eocd + 16);
  if (entries === 0xffff || dirOffset === 0xffffffff) throw new JobError('the input artifact is a ZIP64 file, which is not supported');
  at(dirOffset, dirSize);
  let found = null;
  for (let i = 0, p = dirOffset; i < entries; i++) {
    if (zip.readUInt32LE(at(p, 46)) !== 0x02014b50) throw new JobError('the input artifact is not a valid ZIP file (central directory)');
    const nameLength = zip.readUInt16LE(p + 28);
    const entryName = zip.toString('utf8', at(p + 46, nameLength), p + 46 + nameLength);
    if (entryName === name) {
      // Two entries of the same name could be read differently by CodeDeploy and by this.
      if (found) throw new JobError('the input artifact holds ' + name + ' twice');
      found = {
        flags: zip.readUInt16LE(p + 8), method: zip.readUInt16LE(p + 10), crc: zip.readUInt32LE(p + 16),
        compressed: zip.readUInt32LE(p + 20), size: zip.readUInt32LE(p + 24), local: zip.readUInt32LE(p + 42),
      };
    }
    p += 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  if (!found) throw new JobError('the input artifact has no ' + name);
  if (found.flags & 1) throw new JobError(name + ' is encrypted');
  if (found.size > MAX_ENTRY || found.compressed > MAX_ENTRY) throw new JobError(name + ' is larger than ' + MAX_ENTRY + ' bytes');
  const local = at(found.local, 30);
  if (zip.readUInt32LE(local) !== 0x04034b50) throw new JobError('the input artifact is not a valid ZIP file (local header of ' + name + ')');
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  const raw = zip.subarray(at(start, found.compressed), start + found.compressed);
  let bytes;
  if (found.method === 0) {
    bytes = raw;
  } else if (found.method === 8) {
    try {
      // The limit stops a small entry that inflates to gigabytes.
      bytes = zlib.inflateRawSync(raw, { maxOutputLength: MAX_ENTRY });
    } catch (e) {
      throw new JobError(name + ' could not be inflated: ' + e.message);
    }
  } else {
    throw new JobError(name + ' is compressed with method ' + found.method + '; only stored (0) and deflated (8) are supported');
  }
  if (bytes.length !== found.size || crc32(bytes) !== found.crc) throw new JobError(name + ' is corrupted (size or CRC-32 differs)');
  return bytes;
}

// crc32 is the ZIP checksum (polynomial 0xEDB88320); Node's zlib.crc32 is newer than some
// runtimes this is tested with.
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

// readable is an error as a person reads it in the pipeline's console, within the 500
// characters this function allows itself (CodePipeline takes up to 5000).
function readable(e) {
  const text = e instanceof JobError ? e.message : (e && e.name ? e.name + ': ' : '') + (e && e.message ? e.message : String(e));
  return text.length > 500 ? text.slice(0, 497) + '...' : text;
}

// The manifests PutImage is given back byte for byte: single images in both formats, and image
// indexes in case a build pushes one (BuildKit does with provenance or several platforms).
const MEDIA_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

function awsCalls(s) {
  const s3sdk = require('@aws-sdk/client-s3');
  const ecrsdk = require('@aws-sdk/client-ecr');
  const cpsdk = require('@aws-sdk/client-codepipeline');
  const ecr = new ecrsdk.ECRClient({ region: s.region });
  const cp = new cpsdk.CodePipelineClient({ region: s.region });
  return {
    // The artifact bucket admits the job's temporary artifact credentials, not this function's
    // role, which therefore needs no S3 or artifact-key permissions.
    getArtifact: async (location, credentials) => {
      const c = credentials || {};
      const s3 = new s3sdk.S3Client({
        region: s.region,
        credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken },
      });
      const out = await s3.send(new s3sdk.GetObjectCommand({ Bucket: location.bucketName, Key: location.objectKey }));
      return Buffer.from(await out.Body.transformToByteArray());
    },
    // getImage is one image of the repository by tag or digest, or null if there is none.
    getImage: async (id) => {
      const out = await ecr.send(new ecrsdk.BatchGetImageCommand({
        repositoryName: s.repositoryName,
        imageIds: [id.tag ? { imageTag: id.tag } : { imageDigest: id.digest }],
        acceptedMediaTypes: MEDIA_TYPES,
      }));
      const image = (out.images || [])[0];
      if (image) {
        return { digest: image.imageId.imageDigest, manifest: image.imageManifest, mediaType: image.imageManifestMediaType };
      }
      const failure = (out.failures || [])[0] || {};
      if (failure.failureCode === 'ImageNotFound') return null;
      throw Object.assign(new Error(failure.failureReason || 'no image and no reason'), { name: failure.failureCode || 'BatchGetImage' });
    },
    // putImage points a tag at a manifest; the digest has ECR check it is that manifest.
    putImage: (input) => ecr.send(new ecrsdk.PutImageCommand({
      repositoryName: s.repositoryName, imageTag: input.tag, imageDigest: input.digest,
      imageManifest: input.manifest, imageManifestMediaType: input.mediaType,
    })),
    putJobSuccess: (jobId, summary) => cp.send(new cpsdk.PutJobSuccessResultCommand({
      jobId, executionDetails: { summary: summary.slice(0, 2048) },
    })),
    putJobFailure: (jobId, failure) => cp.send(new cpsdk.PutJobFailureResultCommand({ jobId, failureDetails: failure })),
  };
}

exports.handle = handle;
exports.settings = settings;
exports.handler = async (event) => {
  const s = settings(process.env);
  return handle(event, awsCalls(s), s);
};
