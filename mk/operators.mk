# Operator authentication: app/operator (roles, sessions, access records),
# hardware/pkcs11 (HPKI cards through a vendor's PKCS#11 module), tested
# against SoftHSM2 holding a test HPKI-style key and certificate. opensc's
# pkcs11-tool (in the base list) writes the certificate into the token.
APT_PACKAGES += softhsm2

TEST_TARGETS += operators-softhsm

.PHONY: operators-softhsm

# The SoftHSM2 test fails here, rather than skips, when SoftHSM2 is missing.
operators-softhsm: deps
	UKETSUKE_REQUIRE_SOFTHSM=1 $(GO) test -count=1 -run 'SoftHSM|Open' ./hardware/pkcs11/
