// Package apiversion checks and compares Docker API versions.
package apiversion

import (
	"fmt"
	"strconv"
	"strings"
)

// Min and Max bound the API versions the edge accepts: what
// moby/moby/api v1.56 describes. Unversioned requests get Max.
const (
	Min = "1.24"
	Max = "1.56"
)

// Check returns the version the call is made with, or the error
// message dockerd gives for a version outside the supported range.
func Check(v string) (string, error) {
	if v == "" {
		return Max, nil
	}
	if Less(v, Min) {
		return "", fmt.Errorf("client version %s is too old. Minimum supported API version is %s, please upgrade your client to a newer version", v, Min)
	}
	if Less(Max, v) {
		return "", fmt.Errorf("client version %s is too new. Maximum supported API version is %s", v, Max)
	}
	return v, nil
}

// Less compares dotted versions numerically, field by field, the
// way moby's api/types/versions does ("1.9" < "1.24"); a missing or
// non-numeric field counts as 0.
func Less(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}
