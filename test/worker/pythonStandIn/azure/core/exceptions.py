class ResourceNotFoundError(Exception):
    pass
