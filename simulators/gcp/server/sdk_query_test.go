package server

import (
	"context"
	"slices"
	"testing"

	"cloud.google.com/go/firestore"
	"google.golang.org/grpc/codes"
)

// cities is the data every query case runs over: collection "cities",
// and one document of another collection "towns" under a city.
var cities = map[string]map[string]any{
	"SF":  {"name": "San Francisco", "state": "CA", "pop": 860000, "tags": []any{"west", "coast"}, "area": 121.4},
	"LA":  {"name": "Los Angeles", "state": "CA", "pop": 3900000, "tags": []any{"west"}, "area": 1302.0},
	"DC":  {"name": "Washington", "state": nil, "pop": 680000, "tags": []any{"east"}},
	"TOK": {"name": "Tokyo", "state": "TK", "pop": 9000000, "tags": []any{"asia", "coast"}, "area": 2194.1},
	"BJ":  {"name": "Beijing", "state": "BJ", "pop": 21500000, "tags": []any{"asia"}, "area": 16411.0},
}

func seedCities(t *testing.T, c *firestore.Client) {
	t.Helper()
	ctx := context.Background()
	for id, data := range cities {
		if _, err := c.Collection("cities").Doc(id).Set(ctx, data); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Doc("cities/SF/towns/OAK").Set(ctx, map[string]any{"name": "Oakland", "pop": 430000}); err != nil {
		t.Fatal(err)
	}
}

// queryCases are queries and the ids they return, in order; the
// differential test runs them against the emulator too.
func queryCases(c *firestore.Client) []struct {
	name string
	q    firestore.Query
	want []string
} {
	cs := c.Collection("cities")
	return []struct {
		name string
		q    firestore.Query
		want []string
	}{
		{"no filter orders by document id", cs.Query, []string{"BJ", "DC", "LA", "SF", "TOK"}},
		{"equality", cs.Where("state", "==", "CA"), []string{"LA", "SF"}},
		{"equality with null", cs.Where("state", "==", nil), []string{"DC"}},
		{"range orders by the filtered field", cs.Where("pop", ">", 800000), []string{"SF", "LA", "TOK", "BJ"}},
		{"range matches only values of the filter's type", cs.Where("state", ">=", "A"), []string{"BJ", "LA", "SF", "TOK"}},
		{"integer and double compare by value", cs.Where("area", "<", 1302), []string{"SF"}},
		{"not equal excludes missing and null", cs.Where("state", "!=", "CA"), []string{"BJ", "TOK"}},
		{"in", cs.Where("state", "in", []any{"TK", "BJ"}), []string{"BJ", "TOK"}},
		{"not in", cs.Where("state", "not-in", []any{"CA"}), []string{"BJ", "TOK"}},
		{"array contains", cs.Where("tags", "array-contains", "coast"), []string{"SF", "TOK"}},
		{"array contains any", cs.Where("tags", "array-contains-any", []any{"east", "asia"}), []string{"BJ", "DC", "TOK"}},
		{"composite and", cs.Where("state", "==", "CA").Where("pop", "<", 1000000), []string{"SF"}},
		{"composite or", cs.WhereEntity(firestore.OrFilter{Filters: []firestore.EntityFilter{
			firestore.PropertyFilter{Path: "state", Operator: "==", Value: "TK"},
			firestore.PropertyFilter{Path: "pop", Operator: "<", Value: 700000}}}), []string{"DC", "TOK"}},
		{"order by descending, limit", cs.OrderBy("pop", firestore.Desc).Limit(2), []string{"BJ", "TOK"}},
		{"order by excludes documents without the field", cs.OrderBy("area", firestore.Asc), []string{"SF", "LA", "TOK", "BJ"}},
		{"offset and limit", cs.OrderBy("pop", firestore.Asc).Offset(1).Limit(2), []string{"SF", "LA"}},
		{"limit to last", cs.OrderBy("pop", firestore.Asc).LimitToLast(2), []string{"TOK", "BJ"}},
		{"start at is inclusive", cs.OrderBy("pop", firestore.Asc).StartAt(860000), []string{"SF", "LA", "TOK", "BJ"}},
		{"start after is exclusive", cs.OrderBy("pop", firestore.Asc).StartAfter(860000), []string{"LA", "TOK", "BJ"}},
		{"end at is inclusive", cs.OrderBy("pop", firestore.Asc).EndAt(860000), []string{"DC", "SF"}},
		{"end before is exclusive", cs.OrderBy("pop", firestore.Asc).EndBefore(860000), []string{"DC"}},
		{"cursor on two fields", cs.OrderBy("state", firestore.Asc).OrderBy("pop", firestore.Asc).StartAfter("CA", 860000), []string{"LA", "TOK"}},
		{"cursor on the document id", cs.OrderBy(firestore.DocumentID, firestore.Asc).StartAfter("LA"), []string{"SF", "TOK"}},
		{"collection group finds every collection of that id", c.CollectionGroup("towns").Query, []string{"OAK"}},
		{"a subcollection holds only its documents", c.Collection("cities/SF/towns").Where("pop", ">", 0), []string{"OAK"}},
		{"select keeps the document ids", cs.Select("name").Where("state", "==", "CA"), []string{"LA", "SF"}},
	}
}

func TestQueries(t *testing.T) {
	srv := startServer(t, Config{})
	c := sdkClient(t, srv.Addr(), newProject(t))
	seedCities(t, c)
	for _, tc := range queryCases(c) {
		t.Run(tc.name, func(t *testing.T) {
			got, err := queryIDs(tc.q)
			wantCode(t, err, codes.OK)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestSelectProjectsFields proves a projection returns only the selected
// fields.
func TestSelectProjectsFields(t *testing.T) {
	srv := startServer(t, Config{})
	c := sdkClient(t, srv.Addr(), newProject(t))
	seedCities(t, c)
	docs, err := c.Collection("cities").Select("name").Where("state", "==", "CA").Documents(context.Background()).GetAll()
	wantCode(t, err, codes.OK)
	for _, d := range docs {
		if got := d.Data(); len(got) != 1 || got["name"] == nil {
			t.Fatalf("%s: %v, want only name", d.Ref.ID, got)
		}
	}
}

func queryIDs(q firestore.Query) ([]string, error) {
	docs, err := q.Documents(context.Background()).GetAll()
	ids := []string{}
	for _, d := range docs {
		ids = append(ids, d.Ref.ID)
	}
	return ids, err
}
