package tagger

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// harness runs handle() on one job with a fake ECR that behaves as the real one does where it
// matters here: PutImage takes only the manifest of the digest it is given, answers
// ImageAlreadyExistsException when the tag already points there, and moves a tag otherwise.
// It prints the result, the calls, the tags afterwards and the log.
const harness = `
const t = require(process.argv[2]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const calls = [];
const logs = [];
console.log = console.info = console.warn = console.error = (...a) => logs.push(a.join(' '));
const tags = Object.assign({}, input.tags);
const images = input.images;
const fail = (e) => Object.assign(new Error(e.message), {name: e.name});
const aws = {
  getArtifact: async (location, credentials) => {
    calls.push(['getArtifact', location, credentials]);
    if (input.s3Error) throw fail(input.s3Error);
    return Buffer.from(input.artifact, 'base64');
  },
  getImage: async (id) => {
    calls.push(['getImage', id]);
    if (input.ecrError && input.ecrError.call === 'getImage') throw fail(input.ecrError);
    const digest = id.tag ? tags[id.tag] : id.digest;
    const image = digest && images[digest];
    return image ? {digest, manifest: image.manifest, mediaType: image.mediaType} : null;
  },
  putImage: async (p) => {
    calls.push(['putImage', p]);
    if (input.ecrError && input.ecrError.call === 'putImage') throw fail(input.ecrError);
    const image = images[p.digest];
    if (!image || image.manifest !== p.manifest || image.mediaType !== p.mediaType) {
      throw fail({name: 'InvalidParameterException', message: 'the manifest is not that of ' + p.digest});
    }
    if (tags[p.tag] === p.digest) throw fail({name: 'ImageAlreadyExistsException', message: 'Image with digest ' + p.digest + ' and tag ' + p.tag + ' already exists'});
    tags[p.tag] = p.digest;
  },
  putJobSuccess: async (id, summary) => { calls.push(['putJobSuccess', id, summary]); },
  putJobFailure: async (id, failure) => { calls.push(['putJobFailure', id, failure]); },
};
const print = (result) => process.stdout.write(JSON.stringify({result, calls, tags, logs}));
Promise.resolve().then(() => t.handle(input.event, aws, t.settings(input.env))).then(print, (e) => print({error: e.message}));
`

const (
	repository = "orders-api"
	uri        = "111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api"
	jobID      = "11111111-2222-3333-4444-555555555555"
)

var env = map[string]string{"REPOSITORY_NAME": repository, "REPOSITORY_URI": uri, "AWS_REGION": "us-east-1"}

// image is one image in the fake repository; its digest is its manifest's, as in ECR.
type image struct {
	Manifest  string `json:"manifest"`
	MediaType string `json:"mediaType"`
	digest    string
}

func newImage(layer, mediaType string) image {
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":%q,"layers":[{"digest":"sha256:%s"}]}`, mediaType, layer)
	sum := sha256.Sum256([]byte(manifest))
	return image{Manifest: manifest, MediaType: mediaType, digest: "sha256:" + hex.EncodeToString(sum[:])}
}

var (
	imageA = newImage("aaaa", "application/vnd.oci.image.manifest.v1+json")
	imageB = newImage("bbbb", "application/vnd.docker.distribution.manifest.v2+json")
	imageC = newImage("cccc", "application/vnd.oci.image.manifest.v1+json")
	// The repository as the build leaves it: every image tagged with its commit.
	commitTags = map[string]string{"a1": imageA.digest, "b2": imageB.digest, "c3": imageC.digest}
)

// entry is one file of a zip artifact.
type entry struct {
	name   string
	body   string
	method uint16
	flags  uint16 // set with CreateRaw, as a writer that encrypts would
}

// zipOf writes a zip archive with archive/zip, as CodeBuild's artifacts are.
func zipOf(t *testing.T, comment string, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, e := range entries {
		var err error
		if e.flags != 0 || (e.method != zip.Store && e.method != zip.Deflate) {
			// A raw entry: the body is written as it is, under the method and flags given.
			var f interface{ Write([]byte) (int, error) }
			f, err = w.CreateRaw(&zip.FileHeader{
				Name: e.name, Method: e.method, Flags: e.flags, CRC32: crc32.ChecksumIEEE([]byte(e.body)),
				CompressedSize64: uint64(len(e.body)), UncompressedSize64: uint64(len(e.body)),
			})
			if err == nil {
				_, err = f.Write([]byte(e.body))
			}
		} else {
			var f interface{ Write([]byte) (int, error) }
			f, err = w.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method})
			if err == nil {
				_, err = f.Write([]byte(e.body))
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if comment != "" {
		if err := w.SetComment(comment); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func detail(imageURI string) string { return fmt.Sprintf(`{"ImageURI": %q}`+"\n", imageURI) }

// artifact is the build's deploy artifact naming an image by digest, imageDetail.json among
// the other files and not first.
func artifact(t *testing.T, img image, method uint16) []byte {
	t.Helper()
	return zipOf(t, "", entry{name: "commit.txt", body: "0123456789abcdef\n", method: zip.Deflate},
		entry{name: "imageDetail.json", body: detail(uri + "@" + img.digest), method: method},
		entry{name: "taskdef-production.json", body: `{"family":"orders-api-production"}`, method: zip.Deflate})
}

type outcome struct {
	Result map[string]any
	Calls  [][]json.RawMessage
	Tags   map[string]string
	Logs   []string
}

// put is one PutImage call.
type put struct{ Tag, Digest string }

func (o outcome) puts() []put {
	var out []put
	for _, c := range o.Calls {
		var name string
		_ = json.Unmarshal(c[0], &name)
		if name == "putImage" {
			var p put
			_ = json.Unmarshal(c[1], &p)
			out = append(out, p)
		}
	}
	return out
}

func (o outcome) count(name string) int {
	n := 0
	for _, c := range o.Calls {
		var got string
		_ = json.Unmarshal(c[0], &got)
		if got == name {
			n++
		}
	}
	return n
}

// succeeded says whether the job was reported a success, and only that.
func (o outcome) succeeded() bool {
	return o.count("putJobSuccess") == 1 && o.count("putJobFailure") == 0 && o.Result["error"] == nil
}

// failure is the failure reported for the job; the invocation itself must not fail, since
// CodePipeline learns of the failure from the job result.
func (o outcome) failure(t *testing.T) string {
	t.Helper()
	if o.Result["error"] != nil {
		t.Fatalf("the invocation failed: %v %s; want the job's failure reported", o.Result, o.Calls)
	}
	if o.count("putJobSuccess") != 0 {
		t.Fatalf("the job was reported a success: %v %s; want a failure", o.Result, o.Calls)
	}
	for _, c := range o.Calls {
		var name, id string
		_ = json.Unmarshal(c[0], &name)
		if name != "putJobFailure" {
			continue
		}
		_ = json.Unmarshal(c[1], &id)
		var f struct{ Type, Message string }
		_ = json.Unmarshal(c[2], &f)
		if id != jobID {
			t.Errorf("failure reported for job %s; want %s", id, jobID)
		}
		if f.Type != "JobFailed" {
			t.Errorf("failure reported as %+v; want type JobFailed", f)
		}
		return f.Message
	}
	t.Fatalf("no failure reported: %v %s", o.Result, o.Calls)
	return ""
}

func job(environment string) map[string]any {
	return map[string]any{"CodePipeline.job": map[string]any{
		"id":        jobID,
		"accountId": "111111111111",
		"data": map[string]any{
			"actionConfiguration": map[string]any{"configuration": map[string]any{
				"FunctionName": "orders-api-tagger", "UserParameters": fmt.Sprintf(`{"environment":%q}`, environment),
			}},
			"inputArtifacts": []map[string]any{{"name": "Deploy", "location": map[string]any{
				"type": "S3", "s3Location": map[string]any{"bucketName": "orders-api-artifacts", "objectKey": "orders-api/Deploy/abc.zip"},
			}}},
			"artifactCredentials": map[string]any{"accessKeyId": "AKIA", "secretAccessKey": "secret", "sessionToken": "token"},
		},
	}}
}

// run runs one job against a repository holding the images A, B and C with the given tags.
// The function runs from Code, so the embedded source is the one tested.
func run(t *testing.T, event map[string]any, zipped []byte, tags map[string]string, extra map[string]any) outcome {
	t.Helper()
	node := os.Getenv("JSII_NODE")
	if node == "" {
		node = "node"
	}
	dir := t.TempDir()
	code := filepath.Join(dir, "tag.js")
	path := filepath.Join(dir, "harness.js")
	if err := os.WriteFile(code, []byte(Code), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(harness), 0o644); err != nil {
		t.Fatal(err)
	}
	images := map[string]image{}
	for _, img := range []image{imageA, imageB, imageC} {
		images[img.digest] = img
	}
	input := map[string]any{"event": event, "env": env, "artifact": base64.StdEncoding.EncodeToString(zipped), "tags": tags, "images": images}
	for k, v := range extra {
		input[k] = v
	}
	data, _ := json.Marshal(input)
	cmd := exec.Command(node, path, code)
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var o outcome
	if err := json.Unmarshal(out, &o); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return o
}

// with is the commit tags and the given tags.
func with(tags map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range commitTags {
		out[k] = v
	}
	for k, v := range tags {
		out[k] = v
	}
	return out
}

func sameTags(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: tags %v; want %v", what, got, want)
		return
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: tags %v; want %v", what, got, want)
			return
		}
	}
}

// An environment's first deployment has nothing to keep as previous: only deployed-<env> is
// put, on the image the artifact names, and every commit tag stays.
func TestTheFirstDeploymentTagsOnlyTheImageDeployed(t *testing.T) {
	o := run(t, job("production"), artifact(t, imageA, zip.Deflate), with(nil), nil)
	if !o.succeeded() {
		t.Fatalf("%v %s %q", o.Result, o.Calls, o.Logs)
	}
	if p, want := o.puts(), []put{{"deployed-production", imageA.digest}}; fmt.Sprint(p) != fmt.Sprint(want) {
		t.Errorf("puts %+v; want %+v", p, want)
	}
	sameTags(t, "first deployment", o.Tags, with(map[string]string{"deployed-production": imageA.digest}))
	var location struct{ BucketName, ObjectKey string }
	var credentials struct{ AccessKeyID, SecretAccessKey, SessionToken string }
	_ = json.Unmarshal(o.Calls[0][1], &location)
	_ = json.Unmarshal(o.Calls[0][2], &credentials)
	if location.BucketName != "orders-api-artifacts" {
		t.Errorf("artifact read from bucket %q; want orders-api-artifacts", location.BucketName)
	}
	if location.ObjectKey != "orders-api/Deploy/abc.zip" {
		t.Errorf("artifact read from key %q; want orders-api/Deploy/abc.zip", location.ObjectKey)
	}
	if credentials.SessionToken != "token" {
		t.Errorf("artifact read with %+v; want the job's credentials", credentials)
	}
}

// A later deployment keeps the image it replaces as deployed-<env>-previous, tagged before it
// loses deployed-<env> so it is never untagged while the environment still runs it.
func TestADeploymentKeepsTheImageItReplaces(t *testing.T) {
	o := run(t, job("production"), artifact(t, imageB, zip.Store), with(map[string]string{"deployed-production": imageA.digest}), nil)
	if !o.succeeded() {
		t.Fatalf("%v %s %q", o.Result, o.Calls, o.Logs)
	}
	want := []put{{"deployed-production-previous", imageA.digest}, {"deployed-production", imageB.digest}}
	if p := o.puts(); fmt.Sprint(p) != fmt.Sprint(want) {
		t.Errorf("puts %+v; want %+v, in that order", p, want)
	}
	sameTags(t, "second deployment", o.Tags, with(map[string]string{"deployed-production": imageB.digest, "deployed-production-previous": imageA.digest}))
	// The third replaces the previous one, which keeps only its commit tag.
	o = run(t, job("production"), artifact(t, imageC, zip.Deflate), o.Tags, nil)
	sameTags(t, "third deployment", o.Tags, with(map[string]string{"deployed-production": imageC.digest, "deployed-production-previous": imageB.digest}))
	// Another environment's tags are its own.
	o = run(t, job("staging"), artifact(t, imageA, zip.Deflate), o.Tags, nil)
	sameTags(t, "staging", o.Tags, with(map[string]string{
		"deployed-production": imageC.digest, "deployed-production-previous": imageB.digest, "deployed-staging": imageA.digest,
	}))
}

// Running the job again with the same artifact (a retried stage) changes nothing and succeeds.
func TestTheSameImageAgainMovesNothing(t *testing.T) {
	tags := with(map[string]string{"deployed-production": imageB.digest, "deployed-production-previous": imageA.digest})
	o := run(t, job("production"), artifact(t, imageB, zip.Deflate), tags, nil)
	if !o.succeeded() {
		t.Fatalf("not a success: %v %s", o.Result, o.Calls)
	}
	if p := o.puts(); len(p) != 0 {
		t.Fatalf("puts %+v; want none", p)
	}
	sameTags(t, "same image", o.Tags, tags)
}

// A stage rollback runs the job with the older artifact: deployed-<env> goes back to the older
// image and -previous to the newer one.
func TestARollbackSwapsTheTagsBack(t *testing.T) {
	o := run(t, job("production"), artifact(t, imageA, zip.Deflate),
		with(map[string]string{"deployed-production": imageB.digest, "deployed-production-previous": imageA.digest}), nil)
	if !o.succeeded() {
		t.Fatalf("%v %s %q", o.Result, o.Calls, o.Logs)
	}
	sameTags(t, "rollback", o.Tags, with(map[string]string{"deployed-production": imageA.digest, "deployed-production-previous": imageB.digest}))
}

// A run cut short after tagging -previous left the old image tagged twice; running it again
// meets ImageAlreadyExistsException for -previous, which is success, and finishes the move.
func TestATagAlreadyInPlaceIsSuccess(t *testing.T) {
	o := run(t, job("production"), artifact(t, imageB, zip.Deflate),
		with(map[string]string{"deployed-production": imageA.digest, "deployed-production-previous": imageA.digest}), nil)
	if !o.succeeded() {
		t.Fatalf("not a success: %v %s %q", o.Result, o.Calls, o.Logs)
	}
	if p := o.puts(); len(p) != 2 {
		t.Fatalf("puts %+v; want 2", p)
	}
	sameTags(t, "retry", o.Tags, with(map[string]string{"deployed-production": imageB.digest, "deployed-production-previous": imageA.digest}))
}

// Only an image of this repository, named by digest, is tagged: anything else fails the job
// before any tag moves.
func TestOnlyThisRepositorysImageByDigestIsTagged(t *testing.T) {
	for name, imageURI := range map[string]string{
		"another repository":          "111111111111.dkr.ecr.us-east-1.amazonaws.com/other@" + imageA.digest,
		"a repository named likewise": uri + "-evil@" + imageA.digest,
		"another account":             "222222222222.dkr.ecr.us-east-1.amazonaws.com/orders-api@" + imageA.digest,
		"by tag":                      uri + ":a1",
		"by tag and digest":           uri + ":a1@" + imageA.digest,
		"a short digest":              uri + "@" + imageA.digest[:20],
		"an upper-case digest":        uri + "@sha256:" + strings.ToUpper(imageA.digest[7:]),
		"another algorithm":           uri + "@sha512:" + imageA.digest[7:],
	} {
		t.Run(name, func(t *testing.T) {
			zipped := zipOf(t, "", entry{name: "imageDetail.json", body: detail(imageURI), method: zip.Deflate})
			o := run(t, job("production"), zipped, with(nil), nil)
			if msg := o.failure(t); !strings.Contains(msg, "not an image of "+uri+" by digest") {
				t.Errorf("%s: %q", name, msg)
			}
			if n := o.count("getImage"); n != 0 {
				t.Errorf("%s: %d GetImage calls; want none: %s", name, n, o.Calls)
			}
			if p := o.puts(); len(p) != 0 {
				t.Errorf("%s: puts %+v; want none", name, p)
			}
		})
	}
	// A digest the repository does not hold (expired, or never pushed).
	missing := newImage("dddd", "application/vnd.oci.image.manifest.v1+json")
	o := run(t, job("production"), artifact(t, missing, zip.Deflate), with(map[string]string{"deployed-production": imageA.digest}), nil)
	if msg, want := o.failure(t), "the image "+missing.digest+" is not in the repository orders-api"; msg != want {
		t.Errorf("missing image: %q; want %q", msg, want)
	}
	if p := o.puts(); len(p) != 0 {
		t.Errorf("missing image: puts %+v; want none", p)
	}
}

// The artifact is read with a small zip reader that takes what CodeBuild writes and refuses the
// rest, failing the job rather than the invocation.
func TestAnArtifactItCannotReadFailsTheJob(t *testing.T) {
	good := artifact(t, imageA, zip.Deflate)
	// The artifact naming A, with its stored imageDetail.json made to name B: only its CRC-32
	// tells.
	tampered := bytes.Replace(artifact(t, imageA, zip.Store), []byte(imageA.digest), []byte(imageB.digest), 1)
	// The artifact with a byte of its deflated imageDetail.json flipped.
	flipped := append([]byte(nil), good...)
	r, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.File {
		if f.Name == "imageDetail.json" {
			offset, _ := f.DataOffset()
			flipped[offset+int64(f.CompressedSize64)/2] ^= 0x55
		}
	}
	large := `{"ImageURI": "` + uri + "@" + imageA.digest + `"` + strings.Repeat(" ", 70*1024) + "}"
	for name, c := range map[string]struct {
		zipped []byte
		want   string
	}{
		"no imageDetail.json": {zipOf(t, "", entry{name: "commit.txt", body: "0123\n", method: zip.Deflate},
			entry{name: "build/imageDetail.json", body: detail(uri + "@" + imageA.digest), method: zip.Deflate}), "the input artifact has no imageDetail.json"},
		"not a zip":         {[]byte("PK this is no zip file, only a text that begins like one"), "the input artifact is not a ZIP file"},
		"empty":             {nil, "the input artifact is not a ZIP file"},
		"its end cut off":   {good[:len(good)/2], "the input artifact is not a ZIP file"},
		"its start cut off": {good[40:], "the input artifact is not a valid ZIP file"},
		"tampered":          {tampered, "imageDetail.json is corrupted (size or CRC-32 differs)"},
		"flipped":           {flipped, "imageDetail.json "},
		"too large":         {zipOf(t, "", entry{name: "imageDetail.json", body: large, method: zip.Deflate}), "imageDetail.json is larger than 65536 bytes"},
		"compressed otherwise": {zipOf(t, "", entry{name: "imageDetail.json", body: detail(uri + "@" + imageA.digest), method: 12}),
			"imageDetail.json is compressed with method 12"},
		"encrypted": {zipOf(t, "", entry{name: "imageDetail.json", body: detail(uri + "@" + imageA.digest), method: zip.Store, flags: 1}),
			"imageDetail.json is encrypted"},
		"twice": {zipOf(t, "", entry{name: "imageDetail.json", body: detail(uri + "@" + imageA.digest), method: zip.Store},
			entry{name: "imageDetail.json", body: detail(uri + "@" + imageB.digest), method: zip.Store}), "the input artifact holds imageDetail.json twice"},
		"not JSON": {zipOf(t, "", entry{name: "imageDetail.json", body: "ImageURI=" + uri, method: zip.Deflate}), "imageDetail.json is not JSON"},
	} {
		t.Run(name, func(t *testing.T) {
			o := run(t, job("production"), c.zipped, with(nil), nil)
			if msg := o.failure(t); !strings.HasPrefix(msg, c.want) {
				t.Errorf("%s: %q; want %q…", name, msg, c.want)
			}
			if len(o.puts()) != 0 {
				t.Errorf("%s: %s", name, o.Calls)
			}
		})
	}
	// What the reader must take: stored, deflated, and behind an archive comment.
	for name, zipped := range map[string][]byte{
		"stored":         artifact(t, imageA, zip.Store),
		"with a comment": zipOf(t, "built by CodeBuild", entry{name: "imageDetail.json", body: detail(uri + "@" + imageA.digest), method: zip.Deflate}),
	} {
		t.Run(name, func(t *testing.T) {
			if o := run(t, job("production"), zipped, with(nil), nil); !o.succeeded() {
				t.Errorf("%s: %v %s %q", name, o.Result, o.Calls, o.Logs)
			}
		})
	}
}

// An AWS error fails the job with a message a person reads in the console, at most 500
// characters, and is logged.
func TestAnAWSErrorFailsTheJobReadably(t *testing.T) {
	denied := "User: arn:aws:sts::111111111111:assumed-role/orders-api-tagger/orders-api-tagger is not authorized to perform: ecr:PutImage" +
		strings.Repeat(" on resource", 60)
	o := run(t, job("production"), artifact(t, imageB, zip.Deflate), with(map[string]string{"deployed-production": imageA.digest}),
		map[string]any{"ecrError": map[string]string{"call": "putImage", "name": "AccessDeniedException", "message": denied}})
	msg := o.failure(t)
	if want := "AccessDeniedException: User: arn:aws:sts::111111111111:assumed-role/orders-api-tagger/"; !strings.HasPrefix(msg, want) {
		t.Errorf("message %q; want it to start with %q", msg, want)
	}
	if len(msg) > 500 {
		t.Errorf("message of %d characters; want at most 500: %q", len(msg), msg)
	}
	if !strings.HasSuffix(msg, "...") {
		t.Errorf("message %q; want it cut short with ...", msg)
	}
	if len(o.Logs) == 0 {
		t.Fatal("nothing logged; want the error")
	}
	if last := o.Logs[len(o.Logs)-1]; !strings.Contains(last, "AccessDeniedException") {
		t.Errorf("last log line %q; want the error", last)
	}
	o = run(t, job("production"), artifact(t, imageB, zip.Deflate), with(nil),
		map[string]any{"s3Error": map[string]string{"name": "AccessDenied", "message": "Access Denied"}})
	if msg := o.failure(t); msg != "AccessDenied: Access Denied" {
		t.Errorf("S3: %q", msg)
	}
	o = run(t, job("production"), artifact(t, imageB, zip.Deflate), with(nil),
		map[string]any{"ecrError": map[string]string{"call": "getImage", "name": "KmsError", "message": "the key is disabled"}})
	if msg := o.failure(t); msg != "KmsError: the key is disabled" {
		t.Errorf("ECR: %q", msg)
	}
}

// The action's user parameters name the environment, which must make a valid ECR tag; the
// function's settings must name one repository.
func TestTheJobsParametersAndSettingsAreChecked(t *testing.T) {
	for name, params := range map[string]string{
		"no environment":      `{}`,
		"not JSON":            `production`,
		"upper case":          `{"environment":"Production"}`,
		"a tag of its own":    `{"environment":"production:latest"}`,
		"not a string":        `{"environment":["production"]}`,
		"too long for a tag ": `{"environment":"` + strings.Repeat("a", 111) + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			e := job("production")
			e["CodePipeline.job"].(map[string]any)["data"].(map[string]any)["actionConfiguration"] =
				map[string]any{"configuration": map[string]any{"UserParameters": params}}
			o := run(t, e, artifact(t, imageA, zip.Deflate), with(nil), nil)
			if msg := o.failure(t); !strings.HasPrefix(msg, "the user parameters") {
				t.Errorf("%s: %q; want it to be about the user parameters", name, msg)
			}
			if n := o.count("getArtifact"); n != 0 {
				t.Errorf("%s: %d artifact reads; want none: %s", name, n, o.Calls)
			}
		})
	}
	for name, settings := range map[string]map[string]string{
		"no repository": {"REPOSITORY_URI": uri, "AWS_REGION": "us-east-1"},
		"two repositories": {"REPOSITORY_NAME": repository, "AWS_REGION": "us-east-1",
			"REPOSITORY_URI": "111111111111.dkr.ecr.us-east-1.amazonaws.com/other"},
	} {
		t.Run(name, func(t *testing.T) {
			o := run(t, job("production"), artifact(t, imageA, zip.Deflate), with(nil), map[string]any{"env": settings})
			if o.failure(t); o.count("getArtifact") != 0 {
				t.Errorf("%s: %s", name, o.Calls)
			}
		})
	}
	// Without an input artifact.
	e := job("production")
	delete(e["CodePipeline.job"].(map[string]any)["data"].(map[string]any), "inputArtifacts")
	if msg := run(t, e, nil, with(nil), nil).failure(t); msg != "the action has no input artifact in S3" {
		t.Errorf("no input artifact: %q", msg)
	}
}

// Without a job id no result can be reported: the invocation fails instead.
func TestAnEventWithoutAJobFailsTheInvocation(t *testing.T) {
	for name, event := range map[string]map[string]any{
		"no job":    {"detail-type": "something else"},
		"no job id": {"CodePipeline.job": map[string]any{"data": map[string]any{}}},
	} {
		t.Run(name, func(t *testing.T) {
			o := run(t, event, nil, with(nil), nil)
			if want := "tagger: no CodePipeline job in the event"; o.Result["error"] != want {
				t.Errorf("%s: result %v; want the error %q", name, o.Result, want)
			}
			if len(o.Calls) != 0 {
				t.Errorf("%s: calls %s; want none", name, o.Calls)
			}
		})
	}
}
