package gcphost

import (
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// EnvAPIEndpoint is host:port of an emulator serving Google's gRPC APIs
// (Cloud Run Admin, Cloud Logging) without TLS or credentials: the
// simulator. Unset, the clients reach Google with Application Default
// Credentials. (The Go clients read no such variable themselves, as the
// Firestore client reads FIRESTORE_EMULATOR_HOST.)
const EnvAPIEndpoint = "SOCKERLESS_GCP_ENDPOINT"

// ClientOptions are the options of the Google API clients a driver
// makes: none for Google itself, the emulator's address and no
// credentials when endpoint is set.
func ClientOptions(endpoint string) []option.ClientOption {
	if endpoint == "" {
		return nil
	}
	return []option.ClientOption{option.WithEndpoint(endpoint), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials()))}
}
