package backends

import (
	"fmt"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// benchLifecycles is how many create, inspect and rm each client does
// per instance count.
const benchLifecycles = 6

// BenchmarkManyInstances is the control plane's throughput as the
// instances serving one table grow (1, 2, 4, 8): 32 Docker SDK clients
// behind one edge each create, inspect and remove containers (three
// calls of the function, no compute), with the function's reserved
// concurrency at the instance count. On a machine with fewer cores than
// instances the instances share them, so the curve flattens there.
func BenchmarkManyInstances(b *testing.B) {
	f := newFleet(b)
	for _, n := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			f.serveWith(b, n)
			ctx := b.Context()
			var lifecycles int
			var took time.Duration
			for round := range b.N {
				start := time.Now()
				errs := f.all(b, func(c *client.Client, i int) error {
					for k := range benchLifecycles {
						name := fmt.Sprintf("bench-%d-%d-%d-%d", n, round, i, k)
						r, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name, Config: sleeper(f.img)})
						if err != nil {
							return err
						}
						if _, err := c.ContainerInspect(ctx, r.ID, client.ContainerInspectOptions{}); err != nil {
							return err
						}
						if _, err := c.ContainerRemove(ctx, r.ID, client.ContainerRemoveOptions{}); err != nil {
							return err
						}
					}
					return nil
				})
				took += time.Since(start)
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
				lifecycles += len(f.clis) * benchLifecycles
			}
			perSec := float64(lifecycles) / took.Seconds()
			b.ReportMetric(perSec, "lifecycles/s")
			b.ReportMetric(3*perSec, "calls/s")
			fmt.Printf("many instances: %d instance(s), %d clients: %.1f create+inspect+rm/s (%.1f function calls/s)\n", n, len(f.clis), perSec, 3*perSec)
		})
	}
}
