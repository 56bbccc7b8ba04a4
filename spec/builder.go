package spec

// DefaultBuilderImage is the BuildKit image the build runs when build.builderImage is not
// given. It is pinned by digest, so a retagged or tampered image on the registry cannot change
// what builds every release; the tag only says which version the digest is.
const DefaultBuilderImage = "moby/buildkit:v0.29.0@sha256:0039c1d47e8748b5afea56f4e85f14febaf34452bd99d9552d2daa82262b5cc5"
