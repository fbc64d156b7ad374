"""Media: study documents (PDF), speech, images and slides, video assembly, the media cache and progress."""
