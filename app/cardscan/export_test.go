package cardscan

// DateRenditions is how many renditions a date line may be read in.
var DateRenditions = len(dateVariants)
