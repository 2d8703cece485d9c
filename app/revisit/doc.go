// Package revisit is the domain of re-visit reception: the converted code
// that stands for a card's user certificate, the correspondence table that
// links it to the patient's insured number and 診察券番号 (sealed with
// AES-256-GCM), the rules that decide who is a re-visit, the Store port
// that a database (store/) fills, and the reception ticket (受付票) with the
// port of the printer that prints it (hardware/printer).
//
// Nothing here touches a database or a device. The certificate serial
// enters only in a secret.Buffer; the converted code is not secret-grade
// but is never logged (Code prints as a placeholder).
package revisit
