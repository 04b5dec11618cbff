package core

import (
	"context"
	"errors"
	"math/rand/v2"

	"github.com/sockerless/sockerless/functions/state"
)

// Docker-style generated names: adjective_surname.
var (
	nameLeft  = []string{"admiring", "brave", "clever", "dazzling", "eager", "focused", "gallant", "happy", "jolly", "keen", "loving", "modest", "nifty", "optimistic", "peaceful", "quirky", "relaxed", "serene", "tender", "upbeat", "vibrant", "wizardly", "youthful", "zealous"}
	nameRight = []string{"albattani", "babbage", "curie", "dijkstra", "euclid", "feynman", "goldberg", "hopper", "hypatia", "jepsen", "knuth", "lamport", "lovelace", "mccarthy", "noether", "pike", "ritchie", "shannon", "thompson", "turing", "wozniak", "yalow", "zhukovsky"}
)

// generateName picks a free name; after a few collisions it adds digits.
func (c *Core) generateName(ctx context.Context) string {
	for i := 0; ; i++ {
		n := nameLeft[rand.IntN(len(nameLeft))] + "_" + nameRight[rand.IntN(len(nameRight))]
		if i > 3 {
			n += "_" + string(rune('0'+rand.IntN(10))) + string(rune('0'+rand.IntN(10)))
		}
		if _, err := c.store.Get(ctx, keyContainerName+n); errors.Is(err, state.ErrNotFound) {
			return n
		}
	}
}

// nameFree reports Docker's conflict if name belongs to a container
// other than id.
func (c *Core) nameFree(ctx context.Context, name, id string) error {
	r, err := containerNames.resolve(ctx, c.store, name)
	switch {
	case errors.Is(err, state.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	if owner := r.Key[len(keyContainer):]; owner != id {
		return nameInUse(name, owner)
	}
	return nil
}

// nameInUse is dockerd's 409 for a container name another container holds.
func nameInUse(name, owner string) error {
	return conflict("Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.", name, owner)
}
