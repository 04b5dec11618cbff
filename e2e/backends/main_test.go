package backends

import (
	"os"
	"testing"

	"github.com/sockerless/sockerless/e2e/cloud"
)

// TestMain runs the suites on one deployment per cloud (cloud.Start),
// torn down when they are done.
func TestMain(m *testing.M) { os.Exit(cloud.Main(m)) }
