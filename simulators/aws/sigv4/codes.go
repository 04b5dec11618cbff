package sigv4

import "errors"

// Codes are the error codes one AWS protocol gives for each way a
// signature fails; the server renders them in the service's error shape.
type Codes struct {
	Signature, UnknownKey, Missing string
}

var (
	// JSONCodes are the codes of the JSON and REST-JSON services
	// (DynamoDB, CloudWatch Logs, ECR, ECS, Lambda).
	JSONCodes = Codes{"InvalidSignatureException", "UnrecognizedClientException", "MissingAuthenticationTokenException"}
	// QueryCodes are the codes of the query-protocol services (IAM, STS).
	QueryCodes = Codes{"SignatureDoesNotMatch", "InvalidClientTokenId", "MissingAuthenticationToken"}
)

// Messages AWS gives with these failures, word for word.
const (
	msgSignature = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgToken     = "The security token included in the request is invalid."
	msgMissing   = "Request is missing Authentication Token"
	msgExpired   = "Signature expired: the request's X-Amz-Date is more than 15 minutes from the server's time."
)

// Of returns the code and message AWS answers a failed verification
// (an error from Verifier.Verify) with.
func (c Codes) Of(err error) (code, message string) {
	switch {
	case errors.Is(err, ErrUnknownKey):
		return c.UnknownKey, msgToken
	case errors.Is(err, ErrMissing):
		return c.Missing, msgMissing
	case errors.Is(err, ErrSignature):
		return c.Signature, msgSignature
	case errors.Is(err, ErrExpired):
		return c.Signature, msgExpired
	}
	return "IncompleteSignatureException", err.Error()
}
