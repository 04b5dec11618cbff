package core

import (
	"encoding/json"
	"net"
	"net/http"

	"github.com/moby/moby/api/types/network"

	"github.com/sockerless/sockerless/functions/call"
)

// API 1.52 dropped fields that older clients and the scripts written for
// them still read (`{{.NetworkSettings.IPAddress}}`, an image's Parent); moby's types no
// longer carry them, so they are added back, empty, for older versions.
const legacyFieldsUntil = "1.52"

var legacyNetworkSettings = map[string]any{
	"Bridge": "", "HairpinMode": false, "LinkLocalIPv6Address": "", "LinkLocalIPv6PrefixLen": 0,
	"SecondaryIPAddresses": nil, "SecondaryIPv6Addresses": nil, "EndpointID": "", "Gateway": "",
	"GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "IPAddress": "", "IPPrefixLen": 0,
	"IPv6Gateway": "", "MacAddress": "",
}

// legacyImageConfig lists the image Config fields 1.52 began to omit.
var legacyImageConfig = map[string]any{
	"Cmd": nil, "Entrypoint": nil, "Env": nil, "Labels": nil, "OnBuild": nil,
	"User": "", "Volumes": nil, "WorkingDir": "",
}

// withLegacy encodes v for the caller's API version, filling in the
// fields the caller's version still had: under each path of legacy
// ("" for v's own).
func withLegacy(in call.Call, v any, legacy map[string]map[string]any) call.Reply {
	if versionAtLeast(in.Version, legacyFieldsUntil) {
		return jsonReply(http.StatusOK, v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return errorReply(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return errorReply(err)
	}
	for path, fields := range legacy {
		sub := obj
		if path != "" {
			sub, _ = obj[path].(map[string]any)
		}
		for k, def := range fields {
			if _, present := sub[k]; sub != nil && !present {
				sub[k] = def
			}
		}
	}
	return jsonReply(http.StatusOK, obj)
}

// macAddressMovedIn is the API version that moved a container's MAC
// address from Config.MacAddress to its endpoint's; moby's types no
// longer have the former, so an older client's is read from the body.
const macAddressMovedIn = "1.44"

// legacyMacAddress sets the MAC address an older client asked for in
// Config.MacAddress on the container's network endpoint, as dockerd does.
func legacyMacAddress(in call.Call, rec *containerRecord) error {
	if versionAtLeast(in.Version, macAddressMovedIn) {
		return nil
	}
	var body struct{ MacAddress string } // the create body inlines Config
	if json.Unmarshal(in.Body, &body) != nil || body.MacAddress == "" {
		return nil
	}
	mac, err := net.ParseMAC(body.MacAddress)
	if err != nil {
		return invalid("invalid MAC address %s: %v", body.MacAddress, err)
	}
	if ep := rec.Networks[string(rec.HostConfig.NetworkMode)]; ep != nil && len(ep.MacAddress) == 0 {
		ep.MacAddress = network.HardwareAddr(mac)
	}
	return nil
}
