package firestore

import (
	"strings"

	"google.golang.org/grpc/codes"
)

// A document's name is projects/{p}/databases/{d}/documents/{path}, its
// path an even number of segments (collection, id, collection, id, ...);
// a collection's parent is the database's documents root or a document.

const documentsSeg = "/documents"

// dbRoot is the documents root of a database name ("projects/p/databases/d"):
// the prefix of every document name in it.
func dbRoot(database string) string { return database + documentsSeg }

// checkDatabase accepts projects/{p}/databases/{d}, which is every request's
// database field; the emulator serves any project and database.
func checkDatabase(database string) error {
	seg := strings.Split(database, "/")
	if len(seg) != 4 || seg[0] != "projects" || seg[2] != "databases" || seg[1] == "" || seg[3] == "" {
		return errorf(codes.InvalidArgument, "Invalid database name: %q; expected projects/{project_id}/databases/{database_id}", database)
	}
	return nil
}

// splitName splits a resource name under a database into the database and
// the path below its documents root ("" for the root itself).
func splitName(name string) (database, path string, ok bool) {
	seg := strings.Split(name, "/")
	if len(seg) < 5 || seg[0] != "projects" || seg[2] != "databases" || seg[4] != "documents" || seg[1] == "" || seg[3] == "" {
		return "", "", false
	}
	for _, s := range seg[5:] {
		if s == "" {
			return "", "", false
		}
	}
	return strings.Join(seg[:4], "/"), strings.Join(seg[5:], "/"), true
}

// checkDocName accepts a document's full name.
func checkDocName(name string) error {
	_, path, ok := splitName(name)
	if !ok || path == "" || strings.Count(path, "/")%2 != 1 {
		return errorf(codes.InvalidArgument, "Document name %q lacks \"/\" at index %d.", name, len(name))
	}
	return nil
}

// checkParent accepts a collection's parent: a database's documents root or
// a document.
func checkParent(parent string) error {
	_, path, ok := splitName(parent)
	if !ok || (path != "" && strings.Count(path, "/")%2 != 1) {
		return errorf(codes.InvalidArgument, "Invalid parent %q: expected projects/{project_id}/databases/{database_id}/documents or a document name", parent)
	}
	return nil
}

// checkCollectionID accepts one collection id: no slash, not empty.
func checkCollectionID(id string) error {
	if id == "" || strings.Contains(id, "/") || id == "." || id == ".." || strings.HasPrefix(id, "__") && strings.HasSuffix(id, "__") {
		return errorf(codes.InvalidArgument, "Invalid collection id %q", id)
	}
	return nil
}

// parentAndCollection splits a document name into its parent (root or
// document) and its collection id.
func parentAndCollection(name string) (parent, collection string) {
	i := strings.LastIndexByte(name, '/')
	j := strings.LastIndexByte(name[:i], '/')
	return name[:j], name[j+1 : i]
}

// inDatabase reports whether name is a document of database.
func inDatabase(name, database string) bool {
	return strings.HasPrefix(name, dbRoot(database)+"/")
}
