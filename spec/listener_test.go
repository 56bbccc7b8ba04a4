package spec

import (
	"strings"
	"testing"
)

func TestListenerPort(t *testing.T) {
	for s, want := range map[string]int{"http://lb.example:9000": 9000, "https://lb.example": 443, "http://lb.example/": 80} {
		if port, msg := ListenerPort(s); port != want || msg != "" {
			t.Errorf("ListenerPort(%q) = %d, %q; want %d", s, port, msg, want)
		}
	}
	for s, want := range map[string]string{
		"ftp://x": "is not a listener's address", "lb.example:9000": "is not a listener's address",
		"http://lb.example:9000/x": "has more than", "http://u:p@lb.example": "has more than", "http://lb.example?": "has more than",
		"http://lb.example:0": "has no valid port", "http://lb.example:70000": "has no valid port",
	} {
		if port, msg := ListenerPort(s); port != 0 || !strings.Contains(msg, want) {
			t.Errorf("ListenerPort(%q) = %d, %q; want 0 and %q", s, port, msg, want)
		}
	}
}

func TestListenerOfRule(t *testing.T) {
	for rule, want := range map[string]string{
		"arn:aws:elasticloadbalancing:us-east-1:111111111111:listener-rule/app/lb/0123456789abcdef/fedcba9876543210/1111111111111111": "arn:aws:elasticloadbalancing:us-east-1:111111111111:listener/app/lb/0123456789abcdef/fedcba9876543210",
		"not-an-arn": "not-an-arn",
		"":           "",
	} {
		if got := ListenerOfRule(rule); got != want {
			t.Errorf("ListenerOfRule(%q) = %q; want %q", rule, got, want)
		}
	}
}
