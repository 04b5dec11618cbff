// Package tags merges and removes a resource's tags under a service's
// limits: the one algorithm behind every TagResource, UntagResource and
// create-with-tags call. Services keep their own tag types (the JSON and
// XML spellings differ) and their own error wording: Merge says which
// rule a tag broke, the service says it the way its cloud does.
//
// The AWS services use it for DynamoDB, ECS, ECR, Logs, Lambda and IAM
// tags; a GCP simulator uses it for labels (Cloud Run, Artifact Registry,
// Storage buckets) with GCP's limits in its Rules.
package tags

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Rules are one service's limits on a resource's tags.
type Rules struct {
	// MaxKey is the longest key, in bytes; a key is at least one byte.
	MaxKey int
	// MaxValue is the longest value, in bytes.
	MaxValue int
	// MaxTags is the most tags one resource may carry after a merge;
	// zero means no limit.
	MaxTags int
	// Reserved is the key prefix only the cloud may use ("aws:"); empty
	// reserves nothing.
	Reserved string
	// FoldCase makes keys that differ only in case the same key, and the
	// reserved prefix match in any case (IAM).
	FoldCase bool
}

// Problem is the rule a tag broke.
type Problem int

const (
	// BadKey is a key that is empty or longer than MaxKey.
	BadKey Problem = iota + 1
	// BadValue is a value longer than MaxValue.
	BadValue
	// ReservedKey is a key starting with the reserved prefix.
	ReservedKey
	// TooMany is a merge that leaves more than MaxTags tags.
	TooMany
)

// Error is a merge refused: the rule broken and the tag that broke it
// (empty for TooMany).
type Error struct {
	Problem    Problem
	Key, Value string
}

func (e *Error) Error() string {
	return fmt.Sprintf("tags: problem %d with key %q", e.Problem, e.Key)
}

// check applies r's per-tag rules to one tag.
func (r Rules) check(k, v string) *Error {
	switch {
	case len(k) < 1 || len(k) > r.MaxKey:
		return &Error{BadKey, k, v}
	case len(v) > r.MaxValue:
		return &Error{BadValue, k, v}
	case r.Reserved != "" && r.hasReserved(k):
		return &Error{ReservedKey, k, v}
	}
	return nil
}

func (r Rules) hasReserved(k string) bool {
	if r.FoldCase {
		return strings.HasPrefix(strings.ToLower(k), strings.ToLower(r.Reserved))
	}
	return strings.HasPrefix(k, r.Reserved)
}

func (r Rules) same(a, b string) bool {
	if r.FoldCase {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// Merge sets add's tags over have's: a key have has keeps its place and
// takes the new tag, a new key goes at the end. pair reads a tag's key
// and value. have is not changed.
func Merge[T any](have, add []T, pair func(T) (key, value string), r Rules) ([]T, *Error) {
	out := slices.Clone(have)
	for _, t := range add {
		k, v := pair(t)
		if err := r.check(k, v); err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(out, func(o T) bool { ok, _ := pair(o); return r.same(ok, k) }); i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	if r.MaxTags > 0 && len(out) > r.MaxTags {
		return nil, &Error{Problem: TooMany}
	}
	return out, nil
}

// MergeMap is Merge for services that keep tags as a map. The result is
// nil only when both have and add are empty.
func MergeMap(have, add map[string]string, r Rules) (map[string]string, *Error) {
	out := maps.Clone(have)
	if out == nil && len(add) > 0 {
		out = map[string]string{}
	}
	for k, v := range add {
		if err := r.check(k, v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	if r.MaxTags > 0 && len(out) > r.MaxTags {
		return nil, &Error{Problem: TooMany}
	}
	return out, nil
}

// Remove returns have without the tags whose keys are in keys; keys that
// are not there are ignored, as every cloud does. have is not changed.
func Remove[T any](have []T, keys []string, pair func(T) (key, value string), r Rules) []T {
	return slices.DeleteFunc(slices.Clone(have), func(t T) bool {
		k, _ := pair(t)
		return slices.ContainsFunc(keys, func(d string) bool { return r.same(d, k) })
	})
}
