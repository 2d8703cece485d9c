// Package revisit is the domain of re-visit reception: the converted code
// that stands for a card's user certificate, the correspondence table that
// links it to the patient's insured number and 診察券番号 (sealed with
// AES-256-GCM), the rules that decide who is a re-visit, and the Store port
// that a database (store/) fills.
//
// Nothing here touches a database or a device. The certificate serial
// enters only in a secret.Buffer; the converted code is not secret-grade
// but is never logged (Code prints as a placeholder).
package revisit
