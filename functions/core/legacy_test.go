package core_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/sockerless/sockerless/functions/call"
)

func TestLegacyFieldsFollowTheAPIVersion(t *testing.T) {
	h := newHarness(t)
	img := h.importImage(t, "legacy:1")
	h.create(t, "legacy", img, nil)
	tests := []struct {
		name       string
		op         string
		vars       map[string]string
		object     string
		field      string
		version    string
		wantLegacy bool
	}{
		{"container IPAddress before 1.52", call.OpContainerInspect, name("legacy"), "NetworkSettings", "IPAddress", "1.50", true},
		{"container IPAddress from 1.52", call.OpContainerInspect, name("legacy"), "NetworkSettings", "IPAddress", "1.52", false},
		{"image WorkingDir before 1.52", call.OpImageInspect, name("legacy:1"), "Config", "WorkingDir", "1.41", true},
		{"image WorkingDir at 1.56", call.OpImageInspect, name("legacy:1"), "Config", "WorkingDir", "1.56", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var top map[string]json.RawMessage
			h.ok(t, req{op: tt.op, vars: tt.vars, ver: tt.version}, http.StatusOK, &top)
			var obj map[string]any
			mustJSON(t, top[tt.object], &obj)
			if _, ok := obj[tt.field]; ok != tt.wantLegacy {
				t.Errorf("%s.%s present=%t, want %t", tt.object, tt.field, ok, tt.wantLegacy)
			}
		})
	}
}
