package calllog

import (
	"bytes"
	"strings"
	"testing"
)

func TestNewLogger(t *testing.T) {
	cases := []struct {
		name, format string
		debug        bool
		want         string // in the output of one info and one debug line; "" for none
		wantErr      bool
	}{
		{name: "text by default, info only", format: "", want: "level=INFO msg=shown"},
		{name: "json lines", format: FormatJSON, want: `"msg":"shown"`},
		{name: "debug shows the invocations", format: FormatText, debug: true, want: "level=DEBUG msg=detail"},
		{name: "an unknown format is refused", format: "xml", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			log, err := NewLogger(&out, tc.format, tc.debug)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), tc.format) {
					t.Fatalf("err = %v, want one naming %q", err, tc.format)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			log.Info("shown")
			log.Debug("detail")
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output %q lacks %q", out.String(), tc.want)
			}
			if !tc.debug && strings.Contains(out.String(), "detail") {
				t.Errorf("debug line logged at info: %q", out.String())
			}
		})
	}
}
