package core

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/moby/moby/api/types/events"
)

// filters is Docker's filter set: key → accepted values.
type filters map[string][]string

var (
	containerFilterKeys = []string{"id", "name", "label", "status", "exited", "ancestor", "before", "since", "volume", "network", "is-task", "health", "expose", "publish"}
	imageFilterKeys     = []string{"dangling", "label", "reference", "before", "since", "until"}
	volumeFilterKeys    = []string{"dangling", "driver", "label", "name", "all"}
	networkFilterKeys   = []string{"driver", "id", "label", "name", "scope", "type", "dangling", "until"}
	eventFilterKeys     = []string{"container", "event", "image", "label", "type", "volume", "network", "daemon", "plugin", "node", "service", "secret", "config", "scope"}
	pruneFilterKeys     = []string{"until", "label", "label!", "dangling", "all"}
)

// parseFilters accepts both wire forms ({"k":["v"]} and the older
// {"k":{"v":true}}) and rejects keys the endpoint does not know.
func parseFilters(raw string, allowed []string) (filters, error) {
	f := filters{}
	if raw == "" {
		return f, nil
	}
	var generic map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &generic); err != nil {
		return nil, invalid("invalid filter: %v", err)
	}
	for k, v := range generic {
		if !contains(allowed, k) {
			return nil, invalid("invalid filter '%s'", k)
		}
		var list []string
		if err := json.Unmarshal(v, &list); err != nil {
			var set map[string]bool
			if err := json.Unmarshal(v, &set); err != nil {
				return nil, invalid("invalid filter '%s': values must be a list or a map", k)
			}
			for s, on := range set {
				if on {
					list = append(list, s)
				}
			}
		}
		f[k] = list
	}
	return f, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// any reports whether key is unset or some value satisfies match.
func (f filters) any(key string, match func(v string) bool) bool {
	vals, ok := f[key]
	if !ok || len(vals) == 0 {
		return true
	}
	for _, v := range vals {
		if match(v) {
			return true
		}
	}
	return false
}

// labels: every label filter must hold ("k" present, or "k=v").
func (f filters) labels(key string, labels map[string]string) bool {
	for _, want := range f[key] {
		k, v, hasValue := strings.Cut(want, "=")
		got, ok := labels[k]
		if !ok || (hasValue && got != v) {
			return false
		}
	}
	return true
}

func (f filters) matchEvent(m events.Message) bool {
	attr := m.Actor.Attributes
	return f.any("type", func(v string) bool { return v == string(m.Type) }) &&
		f.any("event", func(v string) bool { return v == string(m.Action) || strings.HasPrefix(string(m.Action), v+":") }) &&
		f.any("container", func(v string) bool {
			return m.Type == events.ContainerEventType && (strings.HasPrefix(m.Actor.ID, v) || attr["name"] == v)
		}) &&
		f.any("image", func(v string) bool { return attr["image"] == v || m.Actor.ID == v }) &&
		f.any("volume", func(v string) bool { return m.Type == events.VolumeEventType && m.Actor.ID == v }) &&
		f.any("network", func(v string) bool {
			return m.Type == events.NetworkEventType && (m.Actor.ID == v || attr["name"] == v)
		}) &&
		f.any("scope", func(v string) bool { return v == m.Scope }) &&
		f.labels("label", attr)
}

// nameMatch: Docker's name filters are regular expressions matched
// anywhere in the name (the leading "/" of a container name included).
// A pattern that does not compile matches as a substring.
func nameMatch(pattern, name string) bool {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return strings.Contains(name, pattern)
	}
	return re.MatchString(name) || re.MatchString(strings.TrimPrefix(name, "/"))
}
