package spec

// The DORA change failure rate counts a deploy followed by a rollback or a failed deploy within
// a window as a failed change.
const (
	// DefaultChangeFailureWindowHours is a day: a bad release usually shows within one.
	DefaultChangeFailureWindowHours = 24
	// MaxChangeFailureWindowHours is a month: the notifier keeps one deploy per environment, and
	// a longer window would blame a change for failures weeks later.
	MaxChangeFailureWindowHours = 720
)
