package tags

import (
	"reflect"
	"strings"
	"testing"
)

type tag struct{ K, V string }

func pair(t tag) (string, string) { return t.K, t.V }

var awsRules = Rules{MaxKey: 128, MaxValue: 256, MaxTags: 3, Reserved: "aws:"}

func TestMerge(t *testing.T) {
	iam := awsRules
	iam.FoldCase = true
	cases := []struct {
		name      string
		rules     Rules
		have, add []tag
		want      []tag
		problem   Problem
	}{
		{"new keys go at the end", awsRules, []tag{{"a", "1"}}, []tag{{"b", "2"}}, []tag{{"a", "1"}, {"b", "2"}}, 0},
		{"an existing key keeps its place and takes the new value", awsRules, []tag{{"a", "1"}, {"b", "2"}}, []tag{{"a", "9"}}, []tag{{"a", "9"}, {"b", "2"}}, 0},
		{"keys differing in case are different keys", awsRules, []tag{{"a", "1"}}, []tag{{"A", "2"}}, []tag{{"a", "1"}, {"A", "2"}}, 0},
		{"with FoldCase a key differing in case replaces the old one", iam, []tag{{"a", "1"}}, []tag{{"A", "2"}}, []tag{{"A", "2"}}, 0},
		{"an empty key is refused", awsRules, nil, []tag{{"", "1"}}, nil, BadKey},
		{"a key over MaxKey is refused", awsRules, nil, []tag{{strings.Repeat("k", 129), ""}}, nil, BadKey},
		{"a value over MaxValue is refused", awsRules, nil, []tag{{"k", strings.Repeat("v", 257)}}, nil, BadValue},
		{"the reserved prefix is refused", awsRules, nil, []tag{{"aws:x", "1"}}, nil, ReservedKey},
		{"with FoldCase the reserved prefix is refused in any case", iam, nil, []tag{{"AWS:x", "1"}}, nil, ReservedKey},
		{"more than MaxTags after the merge is refused", awsRules, []tag{{"a", ""}, {"b", ""}}, []tag{{"c", ""}, {"d", ""}}, nil, TooMany},
		{"replacing keys does not count against MaxTags", awsRules, []tag{{"a", ""}, {"b", ""}, {"c", ""}}, []tag{{"c", "x"}}, []tag{{"a", ""}, {"b", ""}, {"c", "x"}}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			have := append([]tag(nil), c.have...)
			got, err := Merge(have, c.add, pair, c.rules)
			if c.problem != 0 {
				if err == nil || err.Problem != c.problem {
					t.Fatalf("Merge = %v, %v; want problem %d", got, err, c.problem)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("Merge = %v, %v; want %v", got, err, c.want)
			}
			if !reflect.DeepEqual(have, c.have) && len(c.have) > 0 {
				t.Fatalf("Merge changed have: %v", have)
			}
		})
	}
}

func TestMergeMap(t *testing.T) {
	cases := []struct {
		name      string
		have, add map[string]string
		want      map[string]string
		problem   Problem
	}{
		{"adds and overwrites", map[string]string{"a": "1"}, map[string]string{"a": "2", "b": "3"}, map[string]string{"a": "2", "b": "3"}, 0},
		{"nothing to merge stays nil", nil, nil, nil, 0},
		{"the reserved prefix is refused", nil, map[string]string{"aws:k": ""}, nil, ReservedKey},
		{"more than MaxTags is refused", map[string]string{"a": "", "b": ""}, map[string]string{"c": "", "d": ""}, nil, TooMany},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := MergeMap(c.have, c.add, awsRules)
			if c.problem != 0 {
				if err == nil || err.Problem != c.problem {
					t.Fatalf("MergeMap = %v, %v; want problem %d", got, err, c.problem)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("MergeMap = %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

func TestRemove(t *testing.T) {
	have := []tag{{"a", "1"}, {"B", "2"}, {"c", "3"}}
	if got := Remove(have, []string{"a", "b", "zz"}, pair, awsRules); !reflect.DeepEqual(got, []tag{{"B", "2"}, {"c", "3"}}) {
		t.Errorf("exact keys: Remove = %v", got)
	}
	fold := awsRules
	fold.FoldCase = true
	if got := Remove(have, []string{"b"}, pair, fold); !reflect.DeepEqual(got, []tag{{"a", "1"}, {"c", "3"}}) {
		t.Errorf("FoldCase: Remove = %v", got)
	}
	if len(have) != 3 {
		t.Errorf("Remove changed have: %v", have)
	}
}
