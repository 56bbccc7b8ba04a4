package spec

import (
	"net/url"
	"strconv"
	"strings"
)

// ListenerPort reads a test listener's address, http(s)://HOST[:PORT] and nothing more: its port
// (80 or 443 when none is written), or 0 and what is wrong with it.
func ListenerPort(s string) (int, string) {
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "":
		return 0, "is not a listener's address; expected http://HOST[:PORT] or https://HOST[:PORT]"
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "?"):
		return 0, "has more than a scheme, host and port; expected http://HOST[:PORT] (the paths go in testTraffic.paths)"
	}
	if u.Port() == "" {
		return map[string]int{"http": 80, "https": 443}[u.Scheme], ""
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil || port < 1 || port > 65535 {
		return 0, "has no valid port; expected a port from 1 to 65535"
	}
	return port, ""
}

// ListenerOfRule is the ARN of the listener a listener rule's ARN names:
// …:listener-rule/app/NAME/LB/LISTENER/RULE → …:listener/app/NAME/LB/LISTENER. Anything else
// comes back as it is, less a last "/RULE" part.
func ListenerOfRule(rule string) string {
	l := strings.Replace(rule, ":listener-rule/", ":listener/", 1)
	if i := strings.LastIndex(l, "/"); i > 0 {
		return l[:i]
	}
	return l
}
