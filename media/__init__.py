"""media: documents (PDF) now; speech, images and video assembly in later issues."""
