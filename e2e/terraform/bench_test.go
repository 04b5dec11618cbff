package terraform

import (
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/tfsim"
	"github.com/sockerless/sockerless/functions/testing/awssimtest"
)

// BenchmarkTerraformApplyDestroy measures terraform apply and destroy of
// both backends on one simulator (init and the zips are outside the
// measurement, the zips built once):
//
//	go test -run '^$' -bench TerraformApplyDestroy -benchtime 3x ./e2e/terraform/
func BenchmarkTerraformApplyDestroy(b *testing.B) {
	dir := b.TempDir()
	endpoint := awssimtest.Simulator(b, dir)
	zips := tfsim.BuildZips(b, dir, []string{"ecs", "lambda"}, nil)
	var apply, destroy time.Duration
	for b.Loop() {
		d := tfsim.Apply(b, tfsim.Options{Endpoint: endpoint, Zips: zips})
		apply += d.ApplyTime
		destroy += d.Destroy(b)
		if left, err := d.LeftBehind(b.Context()); err != nil || len(left) > 0 {
			b.Fatalf("destroy left behind %v (%v)", left, err)
		}
	}
	b.ReportMetric(apply.Seconds()/float64(b.N), "apply-s")
	b.ReportMetric(destroy.Seconds()/float64(b.N), "destroy-s")
}
