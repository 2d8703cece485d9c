// Package revisit is the domain of re-visit reception (issue 20). For now it
// holds the reception ticket (受付票) and the port of the printer that
// prints it; the converted code, the correspondence table and the re-visit
// rules join it later, one file per concern.
package revisit
