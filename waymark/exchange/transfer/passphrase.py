"""Passphrases for transfer packages: the rules, and a suggestion of random words.

The passphrase is the only key to a package. It is never stored, logged or audited:
the export and import forms post it, the services use it to derive a key, and it is
gone when the request ends. The sending school gives it to the receiving school by
another route than the file (a phone call, say), so neither alone opens the record.
"""

import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 200
SUGGESTION_WORDS = 4

# Short, common words that are easy to say on the phone and to spell. Four of them give about
# 36 bits of randomness; with scrypt in front of every guess that is enough for a file that
# also has to be intercepted.
WORDS = tuple(
    """
    acorn actor adult agent alarm album alert alley amber anchor angle ankle antler apple apricot apron archer
    arena armor arrow aspen atlas attic autumn award bacon badge badger bagel baker balcony ballet balloon
    bamboo banana banjo barley barrel basin basket beach beacon beaver beetle bench berry bicycle biscuit
    blanket blender blossom bluebell boat bonfire bonnet border bottle bracelet branch brave bread breadth
    breeze brick bridge brook broom bucket buffalo bugle bumble bundle burrow butter button cabbage cabin
    cactus camel camera canal candle canoe canvas canyon caramel carpet carrot cashew castle cathedral cattle
    cedar celery cellar cereal chair chalk chapel cheetah cherry chess chestnut chimney cider cinnamon circle
    clarinet clock cloud clover coast cobalt cocoa coconut collar comet comma compass cookie copper coral
    cottage cotton cougar cousin cradle crane crayon credit cricket crocus crown crumpet crystal cupboard
    cupcake curtain cushion daisy dancer dandelion denim desert dew dial diamond dinghy dinner dolphin donkey
    doorway dove dragon drawer dream drum dune eagle easel echo eclipse eel elbow elder ember emerald
    engine envelope fabric fairway falcon feather fence fern ferry fiddle field fig finch firefly fjord flag
    flame flannel flint flute forest forge fossil fountain fox freckle frost garden garlic gate gazebo gazelle
    gecko geyser giant ginger glacier glider glove goblet gondola goose gorilla granite grape gravel guitar
    gull hammer hamster harbor harvest hazel hedgehog helmet heron hiker hill holly honey hoop hopper horizon
    hornet hotel husky igloo inkwell iris island ivory jacket jasmine jelly jetty jigsaw jungle juniper kayak
    kernel kettle kitten kiwi koala ladder ladle lagoon lantern laptop lark lava lemon leopard lettuce lilac
    lily limpet linen lion lizard llama lobster locket loom lupin macaw magnet mallet mammoth mango maple
    marble marsh meadow meerkat melon mint mirror mitten monkey moon mosaic moth muffin museum mustard napkin
    nectar needle noodle nutmeg oak oasis oatmeal ocean octopus olive onion orange orbit orchard osprey otter
    oven owl oyster paddle paddock pagoda palace panda pansy pantry papaya paper parcel parrot parsnip pasta
    peach peacock peanut pebble pelican pencil penguin pepper petal pheasant piano pickle pigeon pillow pilot
    pine pinecone pirate planet plaza plover plum pocket pod pollen pony poppy porch potato prawn pretzel
    prism puddle puffin pulley pumpkin puppet quail quartz quill quiver rabbit radio radish raft rain raisin
    rampart raven reef rhubarb ribbon ripple river robin rocket rooftop rose saddle saffron sailor salmon
    sandal sapling satchel saucer scarf scooter seagull sequin sesame shadow shamrock shell sherbet shovel
    shrimp silver skate sketch skylark sled slipper snail snow snowdrop sock sofa sonnet sparrow spider sponge
    spoon spring spruce squash squirrel stable stallion star starling stencil stone stork storm straw stream
    sugar summer sundial sunflower sunset swallow swan sycamore table tablet tadpole tambourine tangerine
    teacup teapot tent terrace thimble thistle thrush thunder ticket tiger timber tinsel toast toffee tomato
    tooth topaz torch toucan tower tractor trail train tree trellis trout truffle trumpet tuba tulip tundra
    tunnel turnip turtle twig umbrella unicorn urchin valley vanilla vase velvet vessel vine violin
    vulture waffle wagon walnut walrus warbler water wattle weasel whale wheat whistle wicket willow windmill
    window winter wizard wombat wren yacht yarrow yogurt zebra zephyr zinnia
    """.split()
)


def suggestion():
    """Four random words joined by hyphens, such as "maple-otter-violin-harbor"."""
    return "-".join(secrets.choice(WORDS) for _ in range(SUGGESTION_WORDS))


def check(passphrase):
    """``ValidationError`` unless ``passphrase`` may protect a package: at least 12 characters, not all spaces."""
    if len(passphrase or "") < MIN_LENGTH or not passphrase.strip():
        raise ValidationError(
            _("The passphrase must be at least %(count)d characters long. Three or four random words work well.")
            % {"count": MIN_LENGTH},
            code="passphrase_short",
        )
    if len(passphrase) > MAX_LENGTH:
        raise ValidationError(
            _("The passphrase must be %(count)d characters or fewer.") % {"count": MAX_LENGTH},
            code="passphrase_long",
        )
