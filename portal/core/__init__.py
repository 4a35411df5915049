"""What both zones use: settings, the database and its models, reservations, mail, the
shared web helpers and routes, and sealing. The public instance loads only this package and
portal.public; nothing here may import portal.staff or portal.demo."""
