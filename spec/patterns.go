package spec

import "regexp"

// HealthCheckPath is a URL path with an optional query, from characters that mean nothing to a
// shell: the path reaches a container's health check and the bootstrap server's script, so a
// space, quote, ';', '$', '`', '#' or a second '?' must never pass. '&' is allowed in the query
// only, where a query needs it; a '%' must escape something.
var HealthCheckPath = regexp.MustCompile(`^/(?:[A-Za-z0-9._~/:@+,=-]|%[0-9A-Fa-f]{2})*(?:\?(?:[A-Za-z0-9._~/:@+,=&-]|%[0-9A-Fa-f]{2})*)?$`)

// MaxHealthCheckPath is the longest path an ALB target group accepts.
const MaxHealthCheckPath = 1024

const (
	imageComponent  = `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`
	imageRepository = `(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]+)?/)?` + imageComponent + `(?:/` + imageComponent + `)*`
	imageTag        = `(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?`
)

// PinnedImage and UnpinnedImage are image references as the distribution grammar has them (an
// optional registry host and port, lowercase path components, an optional tag), with and
// without a sha256 digest.
var (
	PinnedImage   = regexp.MustCompile(`^` + imageRepository + imageTag + `@sha256:[0-9a-f]{64}$`)
	UnpinnedImage = regexp.MustCompile(`^` + imageRepository + imageTag + `$`)
)

// KMSKeyARN is a KMS key named by its ARN, not an alias: a key policy or grant names keys.
var KMSKeyARN = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$`)

// SigningProfileName is an AWS Signer profile's name.
var SigningProfileName = regexp.MustCompile(`^[0-9A-Za-z_]{2,64}$`)
