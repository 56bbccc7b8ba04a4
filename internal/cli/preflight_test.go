package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
)

func TestPreflightArgs(t *testing.T) {
	p, err := parsePreflightArgs([]string{"my.yaml", "--profile", "tools", "--account-profile=222222222222=staging", "-account-profile", "333333333333=prod"})
	if err != nil {
		t.Fatal(err)
	}
	if p.file != "my.yaml" || p.opts.Profile != "tools" || p.opts.AccountProfiles["222222222222"] != "staging" || p.opts.AccountProfiles["333333333333"] != "prod" {
		t.Errorf("parsed %+v", p)
	}
	if p, err := parsePreflightArgs(nil); err != nil || p.file != DefaultConfigFile {
		t.Errorf("no arguments: %+v, %v", p, err)
	}
	for _, bad := range [][]string{
		{"--account-profile", "2222=staging"},
		{"--account-profile", "222222222222"},
		{"--profile"},
		{"--region", "us-east-1"},
		{"a.yaml", "b.yaml"},
		{"--profile="},
		{"--profile", "--account-profile", "222222222222=staging"},
		{"--profile", "a", "--profile", "b"},
		{"--account-profile", "222222222222=a", "--account-profile", "222222222222=b"},
	} {
		var stderr bytes.Buffer
		if code := Run(append([]string{"preflight"}, bad...), &bytes.Buffer{}, &stderr); code != 2 {
			t.Errorf("preflight %v: exit %d, want 2 (usage)", bad, code)
		}
	}
}

// The demo names no account 999999999999: a mistyped account must not fall back to the default
// credentials in silence.
func TestPreflightAccountProfileForAnAccountTheConfigDoesNotUse(t *testing.T) {
	var stderr bytes.Buffer
	code := Run([]string{"preflight", filepath.Join(cdktest.Root(t), "delivery.yaml"), "--account-profile", "999999999999=staging"}, &bytes.Buffer{}, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "--account-profile names account 999999999999, which") {
		t.Errorf("exit %d: %s; want 2 and the account named", code, stderr.String())
	}
}

func TestPreflightMissingFile(t *testing.T) {
	var stderr bytes.Buffer
	if code := Run([]string{"preflight", filepath.Join(t.TempDir(), "none.yaml")}, &bytes.Buffer{}, &stderr); code != 1 {
		t.Errorf("exit %d, want 1; stderr %s", code, stderr.String())
	}
}

// TestPreflightNoCredentials runs the verb with no credentials anywhere: one clear line per
// account, at once, and exit 1. Nothing reaches the network.
func TestPreflightNoCredentials(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", empty)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9") // never the real AWS
	file := filepath.Join(dir, "delivery.yaml")
	if err := os.WriteFile(file, []byte("app: shop\npipeline:\n  account: \"123456789012\"\nsource: {owner: acme, repo: shop}\nenvironments:\n  - name: staging\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := Run([]string{"preflight", file}, &stdout, &stderr)
	if code != 1 || time.Since(start) > 5*time.Second {
		t.Errorf("exit %d after %s, want 1 within seconds", code, time.Since(start))
	}
	want := "FAIL account 123456789012: cannot reach AWS with the default credentials: no AWS credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID, run aws sso login, or pass --profile; its checks are skipped\n" +
		"warn source connection: a connection will be created; authorise it once in the console after the first deploy\n"
	if stdout.String() != want || stderr.Len() != 0 {
		t.Errorf("stdout:\n%s\nwant:\n%s\nstderr: %s", stdout.String(), want, stderr.String())
	}
}
