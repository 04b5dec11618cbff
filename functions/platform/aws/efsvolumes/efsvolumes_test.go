package efsvolumes_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/efs"

	"github.com/sockerless/sockerless/functions/platform/aws/efsvolumes"
	"github.com/sockerless/sockerless/functions/testing/awssimtest"
)

// TestVolumesOnTheSimulator keeps volumes as access points of a file
// system on the AWS simulator: creating twice is one access point,
// removing deletes it and its data, and a volume made again under the
// same name starts empty.
func TestVolumesOnTheSimulator(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the AWS simulator")
	}
	data := t.TempDir()
	cfg := awssimtest.Config(t, awssimtest.SimulatorWithData(t, t.TempDir(), data))
	c := efs.NewFromConfig(cfg)
	fs, err := c.CreateFileSystem(t.Context(), &efs.CreateFileSystemInput{CreationToken: aws.String("volumes")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(fs.FileSystemId)
	v := efsvolumes.Volumes{Client: c, FileSystemID: id, Mounted: filepath.Join(data, "efs", id)}
	ctx := t.Context()
	first, err := v.Volume(ctx, "cache")
	if err != nil {
		t.Fatal(err)
	}
	if again, err := v.Volume(ctx, "cache"); err != nil || again != first {
		t.Fatalf("second Volume = %q, %v; want the first, %q", again, err, first)
	}
	aps, err := c.DescribeAccessPoints(ctx, &efs.DescribeAccessPointsInput{FileSystemId: fs.FileSystemId})
	if err != nil || len(aps.AccessPoints) != 1 {
		t.Fatalf("access points %+v, %v; want one", aps, err)
	}
	// What a workload's mount makes and writes.
	dir := filepath.Join(v.Mounted, filepath.FromSlash(first))
	if err := os.MkdirAll(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := v.RemoveVolume(ctx, "cache"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the removed volume's data is still there: %v", err)
	}
	if _, _, err := v.AccessPoint(ctx, "cache"); err == nil {
		t.Fatal("the removed volume still has an access point")
	}
	if err := v.RemoveVolume(ctx, "cache"); err != nil {
		t.Fatalf("removing a volume twice: %v", err)
	}
	if next, err := v.Volume(ctx, "cache"); err != nil || next == first {
		t.Fatalf("the volume made again = %q, %v; want a directory other than %q", next, err, first)
	}
	// act names volumes after the workflow, job and a 64-digit hash.
	long := "act-ci-yml-build-b376aff234d5c7847f7e20d930026b94763bd9580e00fb9ef52342e9b958a871-env"
	if dir, err := v.Volume(ctx, long); err != nil || len(dir) > 100 {
		t.Fatalf("a volume with a long name: %q, %v; want a root within EFS's 100 characters", dir, err)
	}
}
