package logcursor

import "testing"

// TestFollowing reads a log in pages and proves each page goes on from
// the last's cursor: entries sharing the cursor's timestamp that were
// read are skipped, those not yet read are not.
func TestFollowing(t *testing.T) {
	type entry struct {
		ts int64
		id string
	}
	cases := []struct {
		name   string
		pages  [][]entry // what each read sees (from the cursor's timestamp on)
		wantID []string
	}{
		{"distinct timestamps", [][]entry{{{1, "a"}, {2, "b"}}, {{2, "b"}, {3, "c"}}}, []string{"a", "b", "c"}},
		{"a timestamp shared across pages", [][]entry{{{1, "a"}, {2, "b"}}, {{2, "b"}, {2, "c"}, {3, "d"}}}, []string{"a", "b", "c", "d"}},
		{"nothing new", [][]entry{{{5, "a"}}, {{5, "a"}}}, []string{"a"}},
		{"an empty log keeps the start", [][]entry{{}, {{1, "a"}}}, []string{"a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cursor := ""
			var got []string
			for _, page := range tc.pages {
				c := Parse(cursor)
				for _, e := range page {
					if c.Next(e.ts, e.id) {
						got = append(got, e.id)
					}
				}
				cursor = c.String()
			}
			if len(got) != len(tc.wantID) {
				t.Fatalf("read %v, want %v", got, tc.wantID)
			}
			for i := range got {
				if got[i] != tc.wantID[i] {
					t.Fatalf("read %v, want %v", got, tc.wantID)
				}
			}
		})
	}
	if Parse("").String() != "" {
		t.Errorf("the start's cursor is not empty")
	}
}
