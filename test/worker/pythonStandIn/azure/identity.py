class DefaultAzureCredential:
    pass
