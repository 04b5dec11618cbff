// Package pages pages a list of resource names the way Google's list
// methods do: page_size (at most 1000, 0 meaning the most) and an opaque
// page_token, here the offset of the next page.
package pages

import (
	"slices"
	"strconv"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Paginate sorts names (by order when given, else lexically) and returns
// the page that token starts, and the token of the next page ("" at the
// end).
func Paginate(names []string, size int32, token string, order ...func(a, b string) int) ([]string, string, error) {
	if len(order) > 0 {
		slices.SortFunc(names, order[0])
	} else {
		slices.Sort(names)
	}
	from := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(names) {
			return nil, "", status.Errorf(codes.InvalidArgument, "Invalid page_token %q", token)
		}
		from = n
	}
	if size <= 0 || size > 1000 {
		size = 1000
	}
	to := min(from+int(size), len(names))
	next := ""
	if to < len(names) {
		next = strconv.Itoa(to)
	}
	return names[from:to], next, nil
}

// Clones pages the resources of all that keep accepts (by name, as
// Paginate orders them) and returns copies of that page's, with the next
// page's token.
func Clones[M proto.Message](all map[string]M, keep func(name string) bool, size int32, token string) ([]M, string, error) {
	var names []string
	for name := range all {
		if keep(name) {
			names = append(names, name)
		}
	}
	page, next, err := Paginate(names, size, token)
	if err != nil {
		return nil, "", err
	}
	out := make([]M, 0, len(page))
	for _, n := range page {
		out = append(out, proto.Clone(all[n]).(M))
	}
	return out, next, nil
}
