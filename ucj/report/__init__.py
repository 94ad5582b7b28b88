"""District, province and national reports: parameters, content, export and batch runs."""
