package core

import (
	"context"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/moby/moby/api/types/network"
)

// Legacy links (docker run --link name:alias, on the default bridge):
// the linked container's address, ports and environment reach the
// linking one as variables, and its alias as a name in /etc/hosts.
// HostConfig.Links keeps them as dockerd shows them,
// "/child:/parent/alias"; DELETE /containers/parent/alias?link=1
// removes one.

// parseLink reads "name:alias" or "name" (alias the name), the second
// part possibly in the "/parent/alias" form inspect shows.
func parseLink(l string) (child, alias string, err error) {
	child, alias, ok := strings.Cut(l, ":")
	child = strings.TrimPrefix(child, "/")
	if !ok {
		alias = child
	}
	alias = path.Base(alias)
	if child == "" || alias == "" || alias == "." || alias == "/" {
		return "", "", invalid("invalid link %q: want name:alias", l)
	}
	return child, alias, nil
}

// resolveLinks checks that every container hc links to exists, as
// dockerd does at create, and writes the links in dockerd's form for
// the container named parent (with its "/").
func (c *Core) resolveLinks(ctx context.Context, links []string, parent string) ([]string, error) {
	out := make([]string, 0, len(links))
	for _, l := range links {
		child, alias, err := parseLink(l)
		if err != nil {
			return nil, err
		}
		rec, _, err := c.findContainer(ctx, child)
		if err != nil {
			return nil, invalid("could not get container for %s: %v", child, err)
		}
		if rec.HostConfig.NetworkMode.IsHost() {
			return nil, invalid("conflicting options: host type networking can't be used with links. This would result in undefined behavior")
		}
		out = append(out, rec.Name+":"+parent+"/"+alias)
	}
	return out, nil
}

// linkEnv is the environment and the /etc/hosts names a start of rec
// gets from its links; every linked container must be running.
func (c *Core) linkEnv(ctx context.Context, rec *containerRecord) (env, names []string, err error) {
	for _, l := range rec.HostConfig.Links {
		childName, link, _ := strings.Cut(l, ":")
		child, _, err := c.findContainer(ctx, childName)
		if err == nil && !child.running() {
			err = conflict("Cannot link to a non running container: %s AS %s", childName, link)
		}
		if err != nil {
			return nil, nil, err
		}
		alias := path.Base(link)
		env = append(env, linkVars(child, alias, link)...)
		names = append(names, alias, child.shortName())
	}
	return env, names, nil
}

// linkVars are dockerd's variables for one link: <ALIAS>_NAME, the
// linked container's exposed ports on its bridge address, and its
// environment as <ALIAS>_ENV_*.
func linkVars(child *containerRecord, alias, link string) []string {
	prefix := strings.ToUpper(strings.ReplaceAll(alias, "-", "_"))
	env := []string{prefix + "_NAME=" + link}
	var ip string
	if ep := child.Networks[network.NetworkBridge]; ep != nil && ep.IPAddress.IsValid() {
		ip = ep.IPAddress.String()
	}
	if ip != "" {
		var ports []network.Port
		for p := range child.Config.ExposedPorts {
			ports = append(ports, p)
		}
		sort.Slice(ports, func(i, j int) bool {
			if ports[i].Num() != ports[j].Num() {
				return ports[i].Num() < ports[j].Num()
			}
			return ports[i].Proto() < ports[j].Proto()
		})
		for i, p := range ports {
			url := fmt.Sprintf("%s://%s:%d", p.Proto(), ip, p.Num())
			if i == 0 {
				env = append(env, prefix+"_PORT="+url)
			}
			key := fmt.Sprintf("%s_PORT_%d_%s", prefix, p.Num(), strings.ToUpper(string(p.Proto())))
			env = append(env, key+"="+url, key+"_ADDR="+ip, fmt.Sprintf("%s_PORT=%d", key, p.Num()), key+"_PROTO="+string(p.Proto()))
		}
	}
	for _, kv := range child.Config.Env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "HOME" || k == "PATH" {
			continue // dockerd leaves these out
		}
		env = append(env, prefix+"_ENV_"+k+"="+v)
	}
	return env
}

// removeLink is DELETE /containers/parent/alias?link=1: the parent
// forgets the link; both containers stay.
func (c *Core) removeLink(ctx context.Context, name string) error {
	name = "/" + strings.TrimPrefix(name, "/")
	parent, alias := path.Split(name)
	if parent == "/" {
		return conflict("Conflict, cannot remove the default link name of the container")
	}
	rec, _, err := c.findContainer(ctx, strings.TrimSuffix(parent, "/"))
	if err != nil {
		return invalid("Cannot get parent %s for link name %s", strings.TrimSuffix(parent, "/"), name)
	}
	_, err = c.updateContainer(ctx, rec.ID, func(r *containerRecord) error {
		kept := slices.DeleteFunc(slices.Clone(r.HostConfig.Links), func(l string) bool {
			_, link, _ := strings.Cut(l, ":")
			return path.Base(link) == alias
		})
		if len(kept) == len(r.HostConfig.Links) {
			return errSkipWrite
		}
		r.HostConfig.Links = kept
		return nil
	})
	return err
}

// linkNames are the names rec goes by as others' links
// ("/parent/alias"), which docker ps lists after its own.
func linkNames(rec *containerRecord, all []containerRecord) []string {
	var out []string
	for i := range all {
		for _, l := range all[i].HostConfig.Links {
			if child, link, _ := strings.Cut(l, ":"); child == rec.Name {
				out = append(out, link)
			}
		}
	}
	return out
}
