package diagram

import "strings"

// GateKind is a kind of check that can stop a release.
type GateKind string

// The kinds of gate. Each is drawn with the tag, meaning and colours of its entry in Kinds.
const (
	UnitTests       GateKind = "unitTests"
	Scan            GateKind = "scan"
	IntegrationTest GateKind = "integrationTest"
	Approval        GateKind = "approval"
	Window          GateKind = "window"
	Signature       GateKind = "signature"
	TestTraffic     GateKind = "testTraffic"
	Bake            GateKind = "bake"
	AlarmRollback   GateKind = "alarmRollback"
	Rollback        GateKind = "rollback"
	Retry           GateKind = "retry"
	Condition       GateKind = "condition"
)

// Gate is one check that can stop or undo a release.
type Gate struct {
	Kind GateKind
	// Detail says what it checks, briefly ("0 * 9-16 ? * MON-FRI, Europe/Berlin").
	Detail string
	// Items are what it watches or requests, in full (alarm names, paths); may be empty.
	Items []string
}

// KindInfo is how a kind of gate is drawn: one source for the Mermaid classes and the SVG's
// colours and legend.
type KindInfo struct {
	Kind GateKind
	// Tag is the text on the gate's label, so no gate is told apart by colour alone.
	Tag string
	// Meaning is the legend's line.
	Meaning string
	// Fill and Stroke are the background and the border (and the tag's background).
	Fill, Stroke string
}

// Kinds lists every kind of gate in the legend's order.
var Kinds = []KindInfo{
	{UnitTests, "UNIT TESTS", "the repository's unit tests must pass", "#e8f5e9", "#2e7d32"},
	{Scan, "SCAN", "the image's vulnerability scan must pass", "#fbe9e7", "#bf360c"},
	{IntegrationTest, "INTEGRATION TEST", "the test command must pass beside the new image", "#e0f2f1", "#00695c"},
	{Approval, "APPROVAL", "a person must approve", "#f3e5f5", "#6a1b9a"},
	{Window, "WINDOW", "the stage waits for its deployment window", "#e3f2fd", "#1565c0"},
	{Signature, "SIGNATURE", "the image's signature must verify", "#e8eaf6", "#283593"},
	{TestTraffic, "TEST TRAFFIC", "the new tasks must answer test traffic before production traffic", "#f1f8e9", "#33691e"},
	{Bake, "BAKE", "alarms are watched after the deployment; one firing rolls back", "#fff8e1", "#8d6e00"},
	{AlarmRollback, "ALARM ROLLBACK", "an alarm during the deployment rolls it back", "#fce4ec", "#ad1457"},
	{Rollback, "ROLLBACK", "a failed stage rolls back to the last release that succeeded", "#ffebee", "#c62828"},
	{Retry, "RETRY", "a failed stage retries its failed actions", "#eceff1", "#455a64"},
	{Condition, "CONDITION", "another stage condition", "#f5f5f5", "#616161"},
}

// Info is the kind's entry in Kinds (Condition's for an unknown kind).
func (k GateKind) Info() KindInfo {
	for _, i := range Kinds {
		if i.Kind == k {
			return i
		}
	}
	return Kinds[len(Kinds)-1]
}

// Text is the gate as one line: its tag and detail.
func (g Gate) Text() string {
	if g.Detail == "" {
		return g.Kind.Info().Tag
	}
	return g.Kind.Info().Tag + ": " + g.Detail
}

// actionGates recognises the actions that are gates by their category, or by the names the
// pipeline's constructs give them and the descriptions of their CodeBuild projects.
var actionGates = []struct {
	kind GateKind
	// names are action or stage names; words are looked for in the project's description.
	names, words []string
}{
	{Signature, []string{"verifysignature"}, []string{"signature"}},
	{Scan, []string{"scan", "trivy"}, []string{"scan"}},
	{UnitTests, []string{"unittests", "unittest"}, []string{"unit test"}},
	{IntegrationTest, []string{"integrationtest"}, []string{"integration test"}},
}

// actionGate is the gate an action is, or nil.
func actionGate(a *Action, stage, description string) *Gate {
	if a.Category == "Approval" {
		detail := ""
		if a.Target != "" {
			detail = "notifies " + a.Target
		}
		return &Gate{Kind: Approval, Detail: detail}
	}
	if a.Category != "Build" && a.Category != "Test" {
		return nil
	}
	name, stage, description := strings.ToLower(a.Name), strings.ToLower(stage), strings.ToLower(description)
	for _, g := range actionGates {
		for _, n := range g.names {
			if name == n || stage == n {
				return &Gate{Kind: g.kind, Detail: gateDetail(g.kind, name, description)}
			}
		}
		for _, w := range g.words {
			if strings.Contains(description, w) {
				return &Gate{Kind: g.kind, Detail: gateDetail(g.kind, name, description)}
			}
		}
	}
	if a.Category == "Test" {
		return &Gate{Kind: UnitTests}
	}
	return nil
}

// gateDetail names the tool of a scan when the project's description does and the action's
// name does not.
func gateDetail(k GateKind, name, description string) string {
	if k == Scan && name != "trivy" && strings.Contains(description, "trivy") {
		return "Trivy"
	}
	return ""
}
