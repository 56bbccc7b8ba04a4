package testtraffic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// harness runs the deployed handler, with the real AWS SDK, on one event, with a Lambda context
// whose time runs out after remainingMs, and prints the result and the log.
const harness = `
const started = Date.now();
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const logs = [];
console.log = console.info = console.warn = console.error = (...a) => logs.push(a.join(' '));
const context = { getRemainingTimeInMillis: () => input.remainingMs - (Date.now() - started) };
const print = (r) => process.stdout.write(JSON.stringify(Object.assign(r, { logs })));
require(process.argv[2]).handler(input.event, context).then((result) => print({ result }), (e) => print({ error: e.message }));
`

// fakeAWS answers CodeDeploy's PutLifecycleEventHookExecutionStatus and SNS's Publish as the
// services do, failing the first throttle calls with ThrottlingException.
type fakeAWS struct {
	mu       sync.Mutex
	throttle int
	statuses []map[string]string
	messages []url.Values
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		http.Error(w, "unsigned", http.StatusForbidden)
		return
	}
	switch target := r.Header.Get("X-Amz-Target"); {
	case target == "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if f.throttle > 0 {
			f.throttle--
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
			return
		}
		var in map[string]string
		if err := json.Unmarshal(body, &in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.statuses = append(f.statuses, in)
		fmt.Fprintf(w, `{"lifecycleEventHookExecutionId":%q}`, in["lifecycleEventHookExecutionId"])
	case target == "":
		form, _ := url.ParseQuery(string(body))
		if form.Get("Action") != "Publish" {
			http.Error(w, "unexpected call "+string(body), http.StatusBadRequest)
			return
		}
		f.messages = append(f.messages, form)
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>`)
	default:
		http.Error(w, "unexpected target "+target, http.StatusBadRequest)
	}
}

type outcome struct {
	Result  map[string]any `json:"result"`
	Error   string         `json:"error"`
	Logs    []string       `json:"logs"`
	elapsed time.Duration
}

const (
	deploymentID = "d-ABCDEF123"
	hookID       = "eyJlbmNyeXB0ZWREYXRhIjoiYWJjIn0="
	topicARN     = "arn:aws:sns:us-east-1:111111111111:orders-api-staging"
)

var codeDeployEvent = map[string]any{"DeploymentId": deploymentID, "LifecycleEventHookExecutionId": hookID}

// settings are the function's variables for a target, with overrides.
func settings(target string, over map[string]string) map[string]string {
	s := map[string]string{
		"TARGET_URL": target, "PATHS": `["/health","/orders?limit=1"]`, "EXPECT_STATUS": "200",
		"REQUESTS": "5", "MAX_LATENCY_MS": "500", "ENVIRONMENT": "orders-api-staging", "TOPIC_ARN": topicARN,
	}
	for k, v := range over {
		s[k] = v
	}
	return s
}

// run runs the function from Code against the fake AWS endpoint.
func run(t *testing.T, event map[string]any, vars map[string]string, remaining time.Duration, aws *fakeAWS) outcome {
	t.Helper()
	node := os.Getenv("JSII_NODE")
	if node == "" {
		node = "node"
	}
	modules, err := filepath.Abs(filepath.Join("..", "_tools", "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(modules, "@aws-sdk", "client-codedeploy")); err != nil {
		t.Fatalf("the AWS SDK for JavaScript is not installed (run make tools): %v", err)
	}
	endpoint := httptest.NewServer(aws)
	defer endpoint.Close()
	dir := t.TempDir()
	code, path := filepath.Join(dir, "check.js"), filepath.Join(dir, "harness.js")
	for file, text := range map[string]string{code: Code, path: harness} {
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	input, _ := json.Marshal(map[string]any{"event": event, "remainingMs": remaining.Milliseconds()})
	cmd := exec.Command(node, path, code)
	cmd.Stdin = bytes.NewReader(input)
	cmd.Env = []string{
		"NODE_PATH=" + modules, "HOME=" + dir, "AWS_ENDPOINT_URL=" + endpoint.URL, "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_EC2_METADATA_DISABLED=true",
	}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	started := time.Now()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var o outcome
	if err := json.Unmarshal(out, &o); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	o.elapsed = time.Since(started)
	return o
}

// service answers paths on the loopback as the new tasks would, right or wrong.
func service(t *testing.T, handler http.HandlerFunc) string {
	t.Helper()
	s := httptest.NewServer(handler)
	t.Cleanup(s.Close)
	return s.URL
}

// silentServer accepts connections and never answers; it returns its URL.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		var held []net.Conn // kept open, unanswered, until the listener closes
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	return "http://" + l.Addr().String()
}

func healthy(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }

func TestRightAnswersLetTheDeploymentGoOn(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	target := service(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.RequestURI()]++
		mu.Unlock()
		healthy(w, r)
	})
	aws := &fakeAWS{}
	o := run(t, codeDeployEvent, settings(target, nil), time.Minute, aws)
	if o.Error != "" || o.Result["status"] != "Succeeded" {
		t.Fatalf("result %v, error %q; want Succeeded", o.Result, o.Error)
	}
	if seen["/health"] != 5 || seen["/orders?limit=1"] != 5 {
		t.Errorf("requests per path %v; want 5 to each", seen)
	}
	wantStatus(t, aws, "Succeeded")
	if len(aws.messages) != 0 {
		t.Errorf("a passing check notified: %v", aws.messages)
	}
}

func TestAThrottledReportIsRetried(t *testing.T) {
	aws := &fakeAWS{throttle: 2}
	o := run(t, codeDeployEvent, settings(service(t, healthy), nil), time.Minute, aws)
	if o.Error != "" {
		t.Fatalf("error %q", o.Error)
	}
	wantStatus(t, aws, "Succeeded")
}

func TestWrongAnswersFailTheDeployment(t *testing.T) {
	slow := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/orders" {
			time.Sleep(800 * time.Millisecond)
		}
		healthy(w, r)
	}
	notFound := func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/orders" {
			http.NotFound(w, r)
			return
		}
		healthy(w, r)
	}
	silent := silentServer(t)
	// A port nothing listens on.
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := "http://" + closed.Addr().String()
	closed.Close()

	for _, c := range []struct{ name, target, want string }{
		{"wrong status", service(t, notFound), "/orders?limit=1: 5 of 5 requests failed: 5 answered 404 (expected 200)"},
		{"slow", service(t, slow), "/orders?limit=1: 5 of 5 requests failed: 5 no answer within 500 ms"},
		{"no answer", silent, "/health: 5 of 5 requests failed: 5 no answer within 500 ms"},
		{"refused", refused, "/health: 5 of 5 requests failed: 5 could not connect: ECONNREFUSED"},
	} {
		t.Run(c.name, func(t *testing.T) {
			aws := &fakeAWS{}
			o := run(t, codeDeployEvent, settings(c.target, nil), time.Minute, aws)
			if o.Error != "" || o.Result["status"] != "Failed" {
				t.Fatalf("result %v, error %q; want Failed", o.Result, o.Error)
			}
			wantStatus(t, aws, "Failed")
			message, _ := o.Result["message"].(string)
			if !strings.Contains(message, c.want) {
				t.Errorf("message %q; want it to say %q", message, c.want)
			}
			if len(aws.messages) != 1 || aws.messages[0].Get("TopicArn") != topicARN || aws.messages[0].Get("Message") != message {
				t.Errorf("notifications %v; want the message once to %s", aws.messages, topicARN)
			}
			if !strings.Contains(strings.Join(o.Logs, "\n"), c.want) {
				t.Errorf("log %q; want it to say %q", o.Logs, c.want)
			}
		})
	}
}

func TestTheCheckReportsBeforeItsDeadline(t *testing.T) {
	silent := silentServer(t)
	aws := &fakeAWS{}
	// 1000 requests per path that each wait up to a minute, with 12 s left: the check must stop
	// sending at 2 s (10 s are kept to report) and report the failure.
	vars := settings(silent, map[string]string{"REQUESTS": "1000", "MAX_LATENCY_MS": "60000"})
	o := run(t, codeDeployEvent, vars, 12*time.Second, aws)
	if o.elapsed > 8*time.Second {
		t.Errorf("the check took %v with 12 s left; want it to report within about 2 s", o.elapsed)
	}
	wantStatus(t, aws, "Failed")
	if message, _ := o.Result["message"].(string); !strings.Contains(message, "did not run before the check ran out of time") {
		t.Errorf("message %q; want it to say the check ran out of time", message)
	}
}

func TestAnECSHookGetsItsAnswerBack(t *testing.T) {
	event := map[string]any{"executionId": "exec-1", "lifecycleStage": "POST_TEST_TRAFFIC_SHIFT",
		"executionDetails": map[string]any{"testTrafficWeights": map[string]any{}}}
	for _, c := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"right", healthy, "SUCCEEDED"},
		{"wrong", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }, "FAILED"},
	} {
		t.Run(c.name, func(t *testing.T) {
			aws := &fakeAWS{}
			o := run(t, event, settings(service(t, c.handler), nil), time.Minute, aws)
			if o.Result["hookStatus"] != c.want {
				t.Errorf("result %v, error %q; want hookStatus %s", o.Result, o.Error, c.want)
			}
			if len(aws.statuses) != 0 {
				t.Errorf("an ECS hook reported to CodeDeploy: %v", aws.statuses)
			}
		})
	}
}

func TestMisconfigurationFailsTheDeploymentReadably(t *testing.T) {
	for _, c := range []struct {
		name string
		over map[string]string
		want string
	}{
		{"no url", map[string]string{"TARGET_URL": ""}, "TARGET_URL must be http(s)://HOST[:PORT]"},
		{"url with path", map[string]string{"TARGET_URL": "http://example.test:9000/x"}, "TARGET_URL must be"},
		{"paths", map[string]string{"PATHS": `["health"]`}, "PATHS must be a JSON array of paths starting with /"},
		{"status", map[string]string{"EXPECT_STATUS": "99"}, "EXPECT_STATUS must be an integer from 100 to 599"},
		{"requests", map[string]string{"REQUESTS": "0"}, "REQUESTS must be an integer from 1 to 1000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			aws := &fakeAWS{}
			o := run(t, codeDeployEvent, settings("http://127.0.0.1:1", c.over), time.Minute, aws)
			wantStatus(t, aws, "Failed")
			if message, _ := o.Result["message"].(string); !strings.Contains(message, c.want) {
				t.Errorf("message %q; want it to say %q", message, c.want)
			}
		})
	}
}

func TestAnEventFromNoHookFailsTheInvocation(t *testing.T) {
	aws := &fakeAWS{}
	o := run(t, map[string]any{"hello": "world"}, settings("http://127.0.0.1:1", nil), time.Minute, aws)
	if !strings.Contains(o.Error, "neither a CodeDeploy nor an ECS lifecycle hook") {
		t.Errorf("error %q; want the invocation to fail naming the event", o.Error)
	}
	if len(aws.statuses)+len(aws.messages) != 0 {
		t.Errorf("calls %v %v; want none", aws.statuses, aws.messages)
	}
}

// wantStatus checks that CodeDeploy heard exactly one status, for this deployment's hook.
func wantStatus(t *testing.T, aws *fakeAWS, status string) {
	t.Helper()
	want := map[string]string{"deploymentId": deploymentID, "lifecycleEventHookExecutionId": hookID, "status": status}
	if len(aws.statuses) != 1 || fmt.Sprint(aws.statuses[0]) != fmt.Sprint(want) {
		t.Errorf("CodeDeploy heard %v; want exactly %v", aws.statuses, want)
	}
}
