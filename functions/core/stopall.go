package core

import (
	"context"
	"errors"
	"time"
)

// StopAll stops each of ids with stop, within one shared deadline: what
// a local runtime's Close does, since its workloads' agents dial an edge
// that ends with it and could not come back.
func StopAll(ids []string, within time.Duration, stop func(ctx context.Context, id string) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	var errs []error
	for _, id := range ids {
		errs = append(errs, stop(ctx, id))
	}
	return errors.Join(errs...)
}
