package app

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// ecrRule is one rule of an ECR lifecycle policy.
type ecrRule struct {
	RulePriority int
	Selection    struct {
		TagStatus      string
		TagPrefixList  []string
		TagPatternList []string
		CountType      string
		CountNumber    int
	}
}

type ecrImage struct {
	digest string
	tags   map[string]bool
	pushed time.Time
}

// selects says whether a rule's tagging requirements match an image, as ECR documents them:
// with several prefixes or patterns, every one must match one of the image's tags.
func (r *ecrRule) selects(img *ecrImage) bool {
	s := r.Selection
	switch s.TagStatus {
	case "untagged":
		return len(img.tags) == 0
	case "any":
		return true
	}
	if len(img.tags) == 0 {
		return false
	}
	matchesAll := func(list []string, match func(pattern, tag string) bool) bool {
		for _, p := range list {
			if !slices.ContainsFunc(slices.Collect(mapKeys(img.tags)), func(tag string) bool { return match(p, tag) }) {
				return false
			}
		}
		return true
	}
	return matchesAll(s.TagPrefixList, func(p, tag string) bool { return strings.HasPrefix(tag, p) }) &&
		matchesAll(s.TagPatternList, func(p, tag string) bool { ok, _ := path.Match(p, tag); return ok })
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// expire evaluates a lifecycle policy as ECR documents it: each rule counts every image its
// tagging requirements select, in order of push, newest first; it may expire only those that no
// higher-priority rule selects ("an image that matches the tagging requirements of a
// higher-priority rule cannot be expired by a rule with a lower priority"), though it still
// counts them ("rules can never mark images that are marked by higher priority rules, but can
// still identify them as if they haven't been expired").
func expire(t *testing.T, rules []ecrRule, images []*ecrImage, now time.Time) (kept []*ecrImage) {
	t.Helper()
	sort.Slice(rules, func(i, j int) bool { return rules[i].RulePriority < rules[j].RulePriority })
	claimed := map[*ecrImage]int{}
	for _, img := range images {
		claimed[img] = -1
		for i := range rules {
			if rules[i].selects(img) {
				claimed[img] = i
				break
			}
		}
	}
	expired := map[*ecrImage]bool{}
	for i, r := range rules {
		var selected []*ecrImage
		for _, img := range images {
			if r.selects(img) {
				selected = append(selected, img)
			}
		}
		sort.SliceStable(selected, func(a, b int) bool { return selected[a].pushed.After(selected[b].pushed) })
		for n, img := range selected {
			if claimed[img] != i {
				continue // counted, never expired by this rule
			}
			switch r.Selection.CountType {
			case "imageCountMoreThan":
				expired[img] = n >= r.Selection.CountNumber
			case "sinceImagePushed":
				expired[img] = now.Sub(img.pushed) > time.Duration(r.Selection.CountNumber)*24*time.Hour
			default:
				t.Fatalf("rule %d: count type %q not simulated", r.RulePriority, r.Selection.CountType)
			}
		}
	}
	for _, img := range images {
		if !expired[img] {
			kept = append(kept, img)
		}
	}
	return kept
}

// registry replays what the pipeline does to the repository: every build pushes a release
// tagged with its commit and moves the cache tag (leaving the old cache manifest untagged);
// every deployment moves deployed-<env> to the release and deployed-<env>-previous to what it
// replaced, as the deploy marker does.
type registry struct {
	images     []*ecrImage
	clock      time.Time
	testImages bool // each build also pushes the integration test's image, it-<commit>
}

func (r *registry) find(tag string) *ecrImage {
	for _, img := range r.images {
		if img.tags[tag] {
			return img
		}
	}
	return nil
}

func (r *registry) tag(img *ecrImage, tag string) {
	if old := r.find(tag); old != nil {
		delete(old.tags, tag)
	}
	if img != nil {
		img.tags[tag] = true
	}
}

func (r *registry) build(n int) *ecrImage {
	r.clock = r.clock.Add(6 * time.Hour)
	release := &ecrImage{digest: fmt.Sprintf("release-%d", n), tags: map[string]bool{fmt.Sprintf("commit%d", n): true}, pushed: r.clock}
	cache := &ecrImage{digest: fmt.Sprintf("cache-%d", n), tags: map[string]bool{}, pushed: r.clock}
	r.images = append(r.images, release, cache)
	r.tag(cache, "buildcache")
	if r.testImages {
		r.images = append(r.images, &ecrImage{digest: fmt.Sprintf("test-%d", n), tags: map[string]bool{fmt.Sprintf("it-commit%d", n): true}, pushed: r.clock})
	}
	return release
}

func (r *registry) deploy(env string, img *ecrImage) {
	current := r.find("deployed-" + env)
	if current == img {
		return
	}
	r.tag(current, "deployed-"+env+"-previous")
	r.tag(img, "deployed-"+env)
}

func lifecycleRules(t *testing.T, text string) []ecrRule {
	t.Helper()
	var policy struct{ Rules []ecrRule }
	if err := json.Unmarshal([]byte(text), &policy); err != nil {
		t.Fatal(err)
	}
	return policy.Rules
}

// lifecycleText is the repository's lifecycle policy in the demo's pipeline stack.
func lifecycleText(t *testing.T) string {
	t.Helper()
	for _, r := range resources(t, synth(t, "delivery.yaml").templates["orders-api-pipeline"], "AWS::ECR::Repository") {
		return r["Properties"].(obj)["LifecyclePolicy"].(obj)["LifecyclePolicyText"].(string)
	}
	t.Fatal("no repository")
	return ""
}

// replay runs 40 builds; staging takes every one, production only builds 2 and 5. The policy is
// evaluated after every build (ECR runs it about daily) and 8 days after the last. It returns
// what an environment runs or may roll back to and was expired.
func replay(t *testing.T, rules []ecrRule) (lost []string, releasesKept int) {
	lost, releasesKept, _ = replayWith(t, rules, false)
	return lost, releasesKept
}

// replayWith is replay, with or without the integration test's own images; it also counts them.
func replayWith(t *testing.T, rules []ecrRule, testImages bool) (lost []string, releasesKept, testImagesKept int) {
	t.Helper()
	r := &registry{clock: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), testImages: testImages}
	evaluate := func(now time.Time) {
		kept := expire(t, rules, r.images, now)
		for _, tag := range []string{"deployed-staging", "deployed-staging-previous", "deployed-production", "deployed-production-previous"} {
			if img := r.find(tag); img != nil && !slices.Contains(kept, img) {
				lost = append(lost, fmt.Sprintf("%s (%s) at %s", img.digest, tag, now.Format(time.DateTime)))
			}
		}
		r.images = kept
	}
	for n := 1; n <= 40; n++ {
		img := r.build(n)
		r.deploy("staging", img)
		if n == 2 || n == 5 {
			r.deploy("production", img)
		}
		evaluate(r.clock)
	}
	evaluate(r.clock.Add(8 * 24 * time.Hour))
	for _, img := range r.images {
		if strings.HasPrefix(img.digest, "release-") {
			releasesKept++
		}
		if strings.HasPrefix(img.digest, "test-") {
			testImagesKept++
		}
	}
	return lost, releasesKept, testImagesKept
}

// Nothing an environment runs or may roll back to is ever expired, however many builds come
// between two production releases; count-based expiry applies to the rest only.
func TestLifecycleKeepsWhatIsDeployed(t *testing.T) {
	lost, kept := replay(t, lifecycleRules(t, lifecycleText(t)))
	if len(lost) > 0 {
		t.Errorf("expired while deployed or a rollback target: %v", lost)
	}
	// The count rule keeps the 30 newest tagged images (the cache image, and 29 releases among
	// which staging's two); production's two, older, are kept on top.
	if kept != 31 {
		t.Errorf("%d releases kept after 40 builds; want 31: the 29 newest and production's current and previous", kept)
	}
	lostOld, _ := replay(t, lifecycleRules(t, `{"rules":[
		{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countNumber":7,"countUnit":"days"}},
		{"rulePriority":2,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":30}}]}`))
	if len(lostOld) == 0 {
		t.Error("the first release's policy (last 30 images of any tag) expired nothing deployed here; the replay proves nothing")
	}
}

// With the integration test's own images, the policy keeps their last 10 and makes room for
// them: still nothing deployed expires, and at least 30 releases are kept.
func TestLifecycleMakesRoomForTestImages(t *testing.T) {
	var text string
	for _, r := range resources(t, synthYAML(t, "test-image.yaml", testImageConfig).templates["shop-pipeline"], "AWS::ECR::Repository") {
		text = r["Properties"].(obj)["LifecyclePolicy"].(obj)["LifecyclePolicyText"].(string)
	}
	lost, releases, tests := replayWith(t, lifecycleRules(t, text), true)
	if len(lost) > 0 {
		t.Errorf("expired while deployed or a rollback target: %v", lost)
	}
	if tests != 10 {
		t.Errorf("%d integration-test images kept; want the last 10", tests)
	}
	if releases < 30 {
		t.Errorf("%d releases kept after 40 builds; want at least 30", releases)
	}
}
